"""The yearly monitoring report: actual against planned for every indicator with a target
(the strategy's §10: by 1 February of the next year), as a PDF and a spreadsheet.

An indicator is achieved when its actual value for the year reaches the target in its
direction (at least the target when higher is better, at most when lower is). Without an
actual value it is "no data", never "not achieved"."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from misto.core import bus
from misto.core.config import env_str
from misto.core.i18n import localized
from misto.core.pdf import cyrillic_font
from misto.index.errors import IndexCode, ProgressIndexError
from misto.index.events import ReportGenerated
from misto.index.models import Direction, Indicator, Report, Target, Value


@dataclass(frozen=True)
class Line:
    indicator: Indicator
    planned: float
    actual: float | None
    value: Value | None

    @property
    def achieved(self) -> bool | None:
        if self.actual is None:
            return None
        if self.indicator.direction == Direction.LOWER:
            return self.actual <= self.planned
        return self.actual >= self.planned

    @property
    def planned_text(self) -> str:
        """The planned value as people read it in the active language (8,5 in Ukrainian)."""
        return _number(self.planned)

    @property
    def actual_text(self) -> str:
        return _number(self.actual)

    @property
    def status(self) -> str:
        return {True: _("achieved"), False: _("not achieved"), None: _("no data")}[
            self.achieved]


def lines(year: int) -> list[Line]:
    targets = (Target.objects.filter(year=year, indicator__active=True)
               .select_related("indicator").order_by("indicator__theme", "indicator__code"))
    actual = {value.indicator_id: value for value in Value.objects.filter(
        period=str(year), district="", superseded_at=None,
        indicator_id__in=[t.indicator_id for t in targets])}
    return [Line(t.indicator, t.value, getattr(actual.get(t.indicator_id), "value", None),
                 actual.get(t.indicator_id)) for t in targets]


def _number(value: float | None) -> str:
    """Localised, at most two decimals, no trailing zeros (9,5 in Ukrainian)."""
    if value is None:
        return "—"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return formats.number_format(float(text), decimal_pos=len(text.partition(".")[2]),
                                 use_l10n=True)


def _headings() -> list[str]:
    return [_("Code"), _("Indicator"), _("Unit"), _("Planned"), _("Actual"), _("Result"),
            _("How obtained")]


def _how(line: Line) -> str:
    value = line.value
    if value is None:
        return ""
    if value.function:
        return f"{value.function} v{value.function_version}"
    return value.source


def pdf(year: int, rows: list[Line]) -> bytes:
    # reportlab is imported here, not at the top: it costs every process ~0.1 s at start-up
    # (this file is loaded by django.setup() through the admin) and only this export uses it.
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = cyrillic_font()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=12 * mm,
                            rightMargin=12 * mm, topMargin=12 * mm, bottomMargin=12 * mm,
                            title=_("Monitoring report %(year)s") % {"year": year},
                            invariant=True)
    body = ParagraphStyle("body", fontName=font, fontSize=8, leading=10)
    title = ParagraphStyle("title", fontName=font, fontSize=15, leading=19)
    city = env_str("MISTO_CITY_NAME") or _("Misto")
    achieved = sum(1 for line in rows if line.achieved)
    missing = sum(1 for line in rows if line.achieved is None)
    story: list[Any] = [
        Paragraph(_("Monitoring report %(year)s: actual and planned values of the "
                    "indicators") % {"year": year}, title),
        Paragraph(f"{city}. " + _("Generated %(at)s.") % {
            "at": timezone.localtime().strftime("%Y-%m-%d %H:%M")}, body),
        Paragraph(_("Indicators with a target: %(planned)s; achieved: %(achieved)s; "
                    "without an actual value: %(missing)s.") % {
            "planned": len(rows), "achieved": achieved, "missing": missing}, body),
        Spacer(1, 4 * mm)]
    data: list[list[Any]] = [[Paragraph(h, body) for h in _headings()]]
    for line in rows:
        data.append([line.indicator.code, Paragraph(localized(line.indicator, "name"), body),
                     line.indicator.unit, _number(line.planned), _number(line.actual),
                     line.status, Paragraph(_how(line), body)])
    table = Table(data, colWidths=[24 * mm, 95 * mm, 18 * mm, 24 * mm, 24 * mm, 26 * mm,
                                   62 * mm], repeatRows=1)
    style = [("FONT", (0, 0), (-1, -1), font, 8), ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
             ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5"))]
    for number, line in enumerate(rows, start=1):
        if line.achieved is not None:
            shade = "#e3f4e1" if line.achieved else "#fbe4e4"
            style.append(("BACKGROUND", (5, number), (5, number), colors.HexColor(shade)))
    table.setStyle(TableStyle(style))
    story.append(table)
    doc.build(story)
    return buffer.getvalue()


def xlsx(year: int, rows: list[Line]) -> bytes:
    # openpyxl is imported here, not at the top: ~0.1 s of every process's start-up for
    # the one spreadsheet export.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = str(year)
    sheet.append([*_headings(), _("Theme"), _("Direction")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in rows:
        sheet.append([line.indicator.code, localized(line.indicator, "name"),
                      line.indicator.unit, line.planned, line.actual, line.status, _how(line),
                      line.indicator.get_theme_display(),
                      line.indicator.get_direction_display()])
    for column, width in zip("ABCDEFGHI", (14, 60, 10, 12, 12, 14, 40, 24, 20), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def check_report(year: int) -> list[Line]:
    if not isinstance(year, int) or not 2000 <= year <= timezone.localdate().year:
        raise ProgressIndexError(IndexCode.BAD_PERIOD, _(
            "A report is made for a year that has begun."), field="year")
    rows = lines(year)
    if not rows:
        raise ProgressIndexError(IndexCode.NO_TARGETS, _(
            "No indicator has a target for %(year)s.") % {"year": year}, field="year")
    return rows


def do_generate(user: Any, year: int, rows: list[Line]) -> Report:
    achieved = sum(1 for line in rows if line.achieved)
    missing = sum(1 for line in rows if line.achieved is None)
    with transaction.atomic():
        report = Report.objects.create(
            year=year, generated_by=user, planned=len(rows), achieved=achieved,
            missing=missing, pdf=pdf(year, rows), xlsx=xlsx(year, rows))
        bus.publish(ReportGenerated(year=year, planned=len(rows), achieved=achieved,
                                    missing=missing))
    return report


def generate(user: Any, year: int) -> Report:
    return do_generate(user, year, check_report(year))


def access_report(report_id: int) -> Report:
    report = Report.objects.filter(pk=report_id).first()
    if report is None:
        raise ProgressIndexError(IndexCode.NOT_FOUND, _("There is no such report."))
    return report
