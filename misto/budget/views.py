"""Budget pages: thin, they call ``services`` and render.

A resident's refusal (not eligible, already voted) is a message on the round's page; a staff
action the role may not do is a 403 page; a missing round or project is a 404.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from misto import twin
from misto.budget import services
from misto.budget.errors import BudgetCode, BudgetError
from misto.budget.models import (
    ON_BALLOT,
    PHASES,
    DistrictBudget,
    Phase,
    Project,
    Round,
    Stage,
    Status,
    Voter,
)
from misto.core.http import see_other
from misto.core.i18n import localized
from misto.core.permissions import can
from misto.core.photos import CONTENT_TYPES
from misto.residents import levels
from misto.residents.civic import standing

TILES = "/api/twin/tiles/{z}/{x}/{y}.mvt"


def _round(number: str) -> Round:
    try:
        return services.access_round(number)
    except BudgetError as error:
        raise Http404(error.message) from None


def _district_names() -> dict[str, str]:
    return {d.katottg: localized(d, "name") for d in twin.districts()}


def index(request: HttpRequest) -> HttpResponse:
    rounds = list(Round.objects.order_by("-number"))
    current = next((r for r in rounds if r.phase == Phase.VOTING), None) or \
        next(iter(rounds), None)
    return render(request, "budget/index.html", {"rounds": rounds, "current": current})


def map_config(found: Round, projects: list[Project], names: dict[str, str]) -> dict[str, Any]:
    """District outlines (with their amounts) and the projects, for the round's map."""
    amounts = dict(DistrictBudget.objects.filter(round=found)
                   .values_list("district", "amount"))
    districts = [{"type": "Feature", "geometry": json.loads(shape.geometry.geojson),
                  "properties": {"code": shape.katottg, "name": names.get(shape.katottg, ""),
                                 "amount": amounts.get(shape.katottg, 0)}}
                 for shape in twin.district_shapes(sorted(amounts))]
    shown = [{"type": "Feature", "geometry": json.loads(p.place.geojson),
              "properties": {"number": p.number, "title": p.title, "status": p.status,
                             "url": reverse("budget:project", args=[p.pk])}}
             for p in projects]
    return {"tiles": TILES, "districts": {"type": "FeatureCollection", "features": districts},
            "projects": {"type": "FeatureCollection", "features": shown}}


def round_page(request: HttpRequest, number: str) -> HttpResponse:
    found = _round(number)
    names = _district_names()
    person = standing(request.user) if request.user.is_authenticated else None
    codes = set(DistrictBudget.objects.filter(round=found).values_list("district", flat=True))
    district = request.GET.get("district")
    if district is None:
        district = person.district if person and person.district in codes else ""
    district = district if district in codes else ""
    rows = Project.objects.filter(round=found)
    if district:
        rows = rows.filter(district__in=(district, services.CITY))
    projects = list(rows.order_by("-votes", "number"))
    voting = services.voting_open(found)
    pools = services.select_winners(found) if found.phase in (
        Phase.RESULTS, Phase.IMPLEMENTATION) else []
    return render(request, "budget/round.html", {
        "round": found, "projects": projects, "district": district, "names": names,
        "districts": sorted((code, names.get(code, code)) for code in codes),
        "amount": services.amount_for(found, district) if district else None,
        "voting": voting, "pools": pools,
        "may_vote_here": voting and person is not None and person.district == district,
        "has_voted": voting and person is not None and Voter.objects.filter(
            round=found, person_id=person.person_id).exists(),
        "ballot_projects": [p for p in projects if p.status in ON_BALLOT],
        "pool_amounts_json": json.dumps({district: services.amount_for(found, district),
                                         services.CITY: found.city_amount}) if district else "",
        "map_config": map_config(found, projects, names),
        "may_manage": can(request.user, "budget.round.manage"),
        "next_phases": [p for p in Phase if PHASES.index(p) > PHASES.index(found.phase)],
    })


def project(request: HttpRequest, project_id: int) -> HttpResponse:
    try:
        found = services.access_project(request.user, project_id)
    except BudgetError as error:
        raise Http404(error.message) from None
    names = _district_names()
    return render(request, "budget/project.html", {
        "project": found, "round": found.round,
        "district_name": names.get(found.district, ""),
        "map_config": map_config(found.round, [found], names),
        "may_review": found.status == Status.SUBMITTED and can(
            request.user, "budget.project.review", found),
        "may_answer": found.status != Status.SUBMITTED and not found.author_answer
        and request.user.is_authenticated and found.author_id == request.user.pk,
        "may_implement": found.status in (Status.WINNER, Status.DONE) and can(
            request.user, "budget.project.implement", found),
        "steps": found.progress.prefetch_related("photos"), "stages": Stage.choices,
        "photos": found.photos.filter(step__isnull=True),
    })


@require_POST
@login_required
def answer(request: HttpRequest, project_id: int) -> HttpResponse:
    try:
        found = services.access_project(request.user, project_id)
        services.answer_review(request.user, found, request.POST.get("text", ""))
        messages.success(request, _("Your answer is published under the conclusion."))
    except BudgetError as error:
        if error.code == BudgetCode.NOT_FOUND:
            raise Http404(error.message) from None
        messages.error(request, error.message)
    return see_other(reverse("budget:project", args=[project_id]))


@require_POST
@login_required
def progress(request: HttpRequest, project_id: int) -> HttpResponse:
    try:
        found = services.access_project(request.user, project_id, "budget.project.implement")
    except BudgetError as error:
        raise Http404(error.message) from None
    try:
        services.record_progress(request.user, found, request.POST.get("stage", ""),
                                 int(request.POST.get("spent") or 0),
                                 request.POST.get("note", ""), request.FILES.getlist("photos"))
        messages.success(request, _("The implementation step is published."))
    except ValueError:
        messages.error(request, _("Enter the cost as a whole number of hryvnias."))
    except BudgetError as error:
        messages.error(request, error.message)
    return see_other(reverse("budget:project", args=[project_id]))


def _cost_lines(text: str) -> list[tuple[str, int]]:
    """The form's cost estimate, one line each: "what; how much" (UAH, spaces allowed)."""
    lines = []
    for number, row in enumerate(text.splitlines()[:31], start=1):
        if not row.strip():
            continue
        item, _sep, amount = row.rpartition(";")
        digits = amount.replace(" ", "").replace("\u00a0", "")
        if not item.strip() or not digits.isdigit() or len(digits) > 13:
            raise BudgetError(BudgetCode.INVALID,
                              _("Cost line %(n)s: write the item, a semicolon and the amount "
                                "in UAH.") % {"n": number}, field="lines")
        lines.append((item.strip(), int(digits)))
    return lines


@levels.level_required(levels.VERIFIED)
def propose(request: HttpRequest, number: str) -> HttpResponse:
    found = _round(number)
    values = {name: request.POST.get(name, "") for name in
              ("title", "description", "cost", "place", "lines")}
    problem: BudgetError | None = None
    if request.method == "POST":
        try:
            try:
                place = json.loads(values["place"] or "null")
                cost = int(values["cost"] or 0)
            except ValueError:
                raise BudgetError(BudgetCode.INVALID,
                                  _("Enter the cost as a whole number of hryvnias and place "
                                    "the project on the map."), field="cost") from None
            checked = services.check_proposal(request.user, levels.level_of(request), found,
                                              values["title"], values["description"], cost,
                                              place, request.FILES.getlist("photos"),
                                              _cost_lines(values["lines"]))
            created = services.do_propose(request.user, found, checked)
            messages.success(request, _("Project %(number)s is filed; the city's departments "
                                        "will review it.") % {"number": created.number})
            return see_other(reverse("budget:project", args=[created.pk]))
        except BudgetError as error:
            problem = error
    return render(request, "budget/propose.html", {
        "round": found, "values": values, "problem": problem,
        "map_config": map_config(found, [], _district_names()),
    }, status=422 if problem else 200)


@require_POST
def vote(request: HttpRequest, number: str) -> HttpResponse:
    found = _round(number)
    back = reverse("budget:round", args=[number])
    if not request.user.is_authenticated or not levels.has_level(request, levels.VERIFIED):
        return see_other(levels.raise_level_url(levels.VERIFIED, back))
    try:
        ballot = services.vote_here(request.user, levels.level_of(request), found,
                                    request.POST.getlist("project"))
    except BudgetError as error:
        messages.error(request, error.message)
        return see_other(back)
    messages.success(request, _("Your ballot is counted. Keep the receipt: with it you (and "
                                "only you) can find your ballot in the public ledger."))
    return see_other(f"{reverse('budget:ballot')}?receipt={ballot.receipt}")


def ballot(request: HttpRequest) -> HttpResponse:
    receipt = request.GET.get("receipt", "")[:64]
    found = services.find_ballot(receipt) if receipt else None
    projects = list(Project.objects.filter(round=found.round, number__in=found.choices)
                    .order_by("number")) if found else []
    return render(request, "budget/ballot.html", {
        "receipt": receipt, "ballot": found, "projects": projects,
        "searched": bool(receipt)}, status=404 if receipt and not found else 200)


def recount(request: HttpRequest, number: str) -> HttpResponse:
    found = _round(number)
    return render(request, "budget/recount.html",
                  {"round": found, "result": services.recount(found)})


def photo(request: HttpRequest, photo_id: int) -> HttpResponseBase:
    """A project's photo (public, like the project): streamed from its file, served as the
    image the pipeline re-encoded it to and nothing else."""
    try:
        found = services.access_photo(photo_id)
    except BudgetError as error:
        raise Http404(error.message) from None
    extension = found.image.name.rsplit(".", 1)[-1].lower()
    if extension not in CONTENT_TYPES:
        raise Http404(_("There is no such photo."))
    try:
        handle = found.image.open("rb")
    except OSError as error:  # the row outlived its file (a restored database)
        raise Http404(_("There is no such photo.")) from error
    response = FileResponse(handle, content_type=CONTENT_TYPES[extension])
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=3600"
    return response


def pabulib(request: HttpRequest, number: str) -> HttpResponse:
    """One pool of a round's results as a Pabulib file (``?district=<code>``; none: the
    city-wide pool), once the results are out."""
    found = _round(number)
    district = request.GET.get("district", "")[:64]
    if found.phase not in (Phase.RESULTS, Phase.IMPLEMENTATION) or (
            district and not DistrictBudget.objects.filter(round=found,
                                                           district=district).exists()):
        raise Http404(_("There are no such results."))
    response = HttpResponse(services.pabulib(found, district),
                            content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="misto_{found.number}_{district or "city"}.pb"')
    return response


@require_POST
@login_required
def phase(request: HttpRequest, number: str) -> HttpResponse:
    found = _round(number)
    if not can(request.user, "budget.round.manage", found):
        raise PermissionDenied("budget.round.manage")
    try:
        services.do_set_phase(found, request.POST.get("phase", ""))
        messages.success(request, _("The round has moved to its next phase."))
    except BudgetError as error:
        messages.error(request, error.message)
    return see_other(reverse("budget:round", args=[number]))


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "budget.project.review"):
        raise PermissionDenied("budget.project.review")
    return render(request, "budget/review.html", {"queue": services.review_queue(),
                                                  "names": _district_names()})


@require_POST
@login_required
def review_project(request: HttpRequest, project_id: int) -> HttpResponse:
    try:
        found = services.access_project(request.user, project_id, "budget.project.review")
    except BudgetError as error:
        raise Http404(error.message) from None
    cost_text = request.POST.get("cost", "").strip()
    try:
        cost = int(cost_text) if cost_text else None
        services.review(request.user, found, approve=request.POST.get("decision") == "approve",
                        reason=request.POST.get("reason", ""), cost=cost)
        messages.success(request, _("Project %(number)s is reviewed; the author and the public "
                                    "see your conclusion.") % {"number": found.number})
    except ValueError:
        messages.error(request, _("Enter the cost as a whole number of hryvnias."))
    except BudgetError as error:
        messages.error(request, error.message)
    return see_other(reverse("budget:review"))
