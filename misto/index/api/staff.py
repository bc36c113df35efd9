"""Staff: entering values and targets, importing a register's file, the report, recomputing."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Status
from ninja.files import UploadedFile
from ninja.security import django_auth

from misto.core.audience import Audience
from misto.core.permissions import require
from misto.core.schemas import refusals
from misto.index import services
from misto.index.api.convert import report_out, value_out
from misto.index.api.schemas import (
    ComputeIn,
    ComputeOutcomeOut,
    EntryIn,
    IndicatorImportOut,
    ReportIn,
    ReportOut,
    TargetIn,
    TargetOut,
    ValueOut,
)

routes = Audience(auth=django_auth)
MAX_IMPORT = 2 * 1024 * 1024


@routes.post("/values", response={201: ValueOut, **refusals(401, 404, 409)},
             summary="Enter an indicator's value with its source document")
def enter(request: HttpRequest, body: EntryIn) -> Status[ValueOut]:
    value = services.enter(request.user, body.code, body.period, body.value, body.source)
    return Status(201, value_out(value, staff=True))


@routes.post("/targets", response={200: TargetOut, **refusals(401, 404)},
             summary="Set an indicator's planned value for a year")
def target(request: HttpRequest, body: TargetIn) -> TargetOut:
    row = services.set_target(request.user, body.code, body.year, body.value, body.source)
    return TargetOut(code=row.indicator.code, year=row.year, value=row.value,
                     source=row.source)


@routes.post("/imports", response={201: IndicatorImportOut, **refusals(401, 403)},
             summary="Import values from a register's CSV (all rows or none)")
def import_values(request: HttpRequest, file: File[UploadedFile]) -> Status[IndicatorImportOut]:
    require(request.user, "index.value.import")
    text = services.read_upload(file, MAX_IMPORT)
    entries = services.check_import(request.user, text, file.name or "import.csv")
    return Status(201, IndicatorImportOut(imported=services.do_import(request.user, entries)))


@routes.post("/reports", response={201: ReportOut, **refusals(401, 403, 409)},
             summary="Generate the yearly monitoring report (PDF and spreadsheet)")
def generate(request: HttpRequest, body: ReportIn) -> Status[ReportOut]:
    require(request.user, "index.report.generate")
    return Status(201, report_out(services.generate(request.user, body.year)))


@routes.post("/compute", response={200: ComputeOutcomeOut, **refusals(401, 403)},
             summary="Recompute the computed indicators for a period")
def compute(request: HttpRequest, body: ComputeIn) -> ComputeOutcomeOut:
    require(request.user, "index.value.compute")
    outcome = services.compute(body.period, by_district=body.by_district)
    return ComputeOutcomeOut(period=outcome.period, computed=outcome.computed,
                             changed=outcome.changed, empty=outcome.empty,
                             unavailable=outcome.unavailable)
