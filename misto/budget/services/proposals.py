"""Proposing a project on the twin and reviewing its feasibility."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.contrib.gis.geos import GEOSGeometry, Point
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from misto import twin
from misto.budget.errors import BudgetCode, BudgetError
from misto.budget.events import ProjectProgressed, ProjectProposed, ProjectReviewed
from misto.budget.models import CostLine, Phase, Progress, Project, Round, Stage, Status
from misto.budget.services.photos import CleanImage, clean_photos, save_photos
from misto.core import bus
from misto.residents import levels
from misto.residents.civic import standing
from misto.twin.errors import TwinError

TITLE = 200
TEXT = 5000
REASON = 2000


@dataclass(frozen=True)
class CheckedProposal:
    title: str
    description: str
    cost: int
    place: GEOSGeometry
    district: str
    photos: tuple[CleanImage, ...] = ()
    lines: tuple[tuple[str, int], ...] = ()


LINES = 30


def check_lines(lines: Sequence[tuple[str, int]], cost: int) -> tuple[tuple[str, int], ...]:
    """The cost estimate's lines (item, amount in UAH), if any: each named, each a positive
    amount, at most 30, adding up to the cost."""
    checked = []
    for item, amount in lines or ():
        item = str(item or "").strip()
        if not 2 <= len(item) <= TITLE or not isinstance(amount, int) or \
                not 0 < amount <= 10**12:
            raise BudgetError(BudgetCode.INVALID,
                              _("Each cost line needs an item (2 to 200 characters) and a "
                                "positive amount in UAH."), field="lines")
        checked.append((item, amount))
    if len(checked) > LINES:
        raise BudgetError(BudgetCode.INVALID, _("At most %(n)s cost lines.") % {"n": LINES},
                          field="lines")
    if checked and sum(amount for _item, amount in checked) != cost:
        raise BudgetError(BudgetCode.INVALID,
                          _("The cost lines add up to %(sum)s UAH, not the cost of %(cost)s "
                            "UAH.") % {"sum": sum(a for _i, a in checked), "cost": cost},
                          field="lines")
    return tuple(checked)


def _place(place: Any) -> tuple[GEOSGeometry, str]:
    """A point (``{"type": "Point"...}`` or ``(lon, lat)``) or a drawn area, inside the city;
    the district is the twin's: the one the point or the whole area lies in, else city-wide."""
    try:
        if isinstance(place, tuple | list) and len(place) == 2:
            point = twin.check_lon_lat(float(place[0]), float(place[1]))
            geometry: GEOSGeometry = point
        elif isinstance(place, dict) and place.get("type") == "Point":
            lon, lat = place.get("coordinates") or ("", "")
            geometry = twin.check_lon_lat(float(lon), float(lat))
        else:
            geometry = twin.parse_area(place)
    except (TwinError, TypeError, ValueError) as error:
        raise BudgetError(BudgetCode.INVALID, _("Place the project on the map: %(reason)s")
                          % {"reason": getattr(error, "message", str(error))},
                          field="place") from None
    if isinstance(geometry, Point):
        found = twin.district_at(geometry.x, geometry.y)
        if found is None:
            raise BudgetError(BudgetCode.INVALID, _("The place is outside the city."),
                              field="place")
        return geometry, found.katottg
    touching = twin.districts_touching(geometry)
    if not touching:
        raise BudgetError(BudgetCode.INVALID, _("The area is outside the city."),
                          field="place")
    return geometry, touching[0] if len(touching) == 1 else ""


def check_proposal(user: Any, level: str | None, found: Round, title: str,
                   description: str, cost: int, place: Any,
                   uploads: Sequence[IO[bytes]] = (),
                   lines: Sequence[tuple[str, int]] = ()) -> CheckedProposal:
    """Everything ``do_propose`` needs, validated; nothing is written here."""
    if found.phase != Phase.PROPOSALS:
        raise BudgetError(BudgetCode.WRONG_PHASE,
                          _("This round does not take proposals now."))
    if level is None or levels.RANK.get(level, 0) < levels.RANK[levels.VERIFIED]:
        raise BudgetError(BudgetCode.LEVEL_TOO_LOW,
                          _("Proposing a project needs a sign-in through an identity provider "
                            "(BankID, Diia or the city's own)."))
    person = standing(user)
    if person is None:
        raise BudgetError(BudgetCode.NOT_ELIGIBLE,
                          _("Only residents in the community register may propose projects."))
    title = (title or "").strip()
    description = (description or "").strip()
    if not 5 <= len(title) <= TITLE:
        raise BudgetError(BudgetCode.INVALID, _("A title of 5 to 200 characters."),
                          field="title")
    if not 20 <= len(description) <= TEXT:
        raise BudgetError(BudgetCode.INVALID,
                          _("Describe the project in 20 to 5000 characters."),
                          field="description")
    if not found.project_min <= cost <= found.project_max:
        raise BudgetError(BudgetCode.INVALID,
                          _("A project costs from %(low)s to %(high)s UAH in this round.")
                          % {"low": found.project_min, "high": found.project_max},
                          field="cost")
    estimate = check_lines(lines, int(cost))
    geometry, district = _place(place)
    return CheckedProposal(title, description, int(cost), geometry, district,
                           tuple(clean_photos(uploads)), estimate)


def do_propose(user: Any, found: Round, checked: CheckedProposal) -> Project:
    with transaction.atomic():
        Round.objects.select_for_update().filter(pk=found.pk).first()
        count = Project.objects.filter(round=found).count()
        project = Project.objects.create(
            round=found, number=f"{found.number}-{count + 1:04d}", title=checked.title,
            description=checked.description, author=user, place=checked.place,
            district=checked.district, cost=checked.cost, proposed_cost=checked.cost)
        CostLine.objects.bulk_create([
            CostLine(project=project, position=n, item=item, amount=amount)
            for n, (item, amount) in enumerate(checked.lines, start=1)])
        save_photos(project, checked.photos)
        bus.publish(ProjectProposed(project_id=project.pk, number=project.number,
                                    round=found.number, district=project.district))
    return project


def review(clerk: Any, project: Project, *, approve: bool, reason: str,
           cost: int | None = None) -> Project:
    """Approve for the ballot (optionally correcting the cost) or reject, always with the
    conclusion, which stays public."""
    reason = (reason or "").strip()
    if not reason:
        raise BudgetError(BudgetCode.INVALID, _("State the conclusion (why it is feasible or "
                                                "not)."), field="reason")
    found = project.round
    if found.phase not in (Phase.PROPOSALS, Phase.REVIEW):
        raise BudgetError(BudgetCode.WRONG_PHASE, _("Review has ended in this round."))
    if cost is not None and not found.project_min <= cost <= found.project_max:
        raise BudgetError(BudgetCode.INVALID,
                          _("A project costs from %(low)s to %(high)s UAH in this round.")
                          % {"low": found.project_min, "high": found.project_max},
                          field="cost")
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if locked.status != Status.SUBMITTED:
            raise BudgetError(BudgetCode.WRONG_STATUS, _("This project has been reviewed."))
        locked.status = Status.APPROVED if approve else Status.REJECTED
        locked.review_reason = reason[:REASON]
        locked.reviewed_by = clerk
        locked.reviewed_at = timezone.now()
        if cost is not None:
            locked.cost = cost
        locked.save()
        bus.publish(ProjectReviewed(project_id=locked.pk, number=locked.number,
                                    round=found.number, approved=approve, cost=locked.cost,
                                    author_user_id=locked.author_id,
                                    url=reverse("budget:project", args=[locked.pk])))
    return locked


def answer_review(user: Any, project: Project, text: str) -> Project:
    """The author's one public answer to the review's conclusion."""
    text = (text or "").strip()
    if not getattr(user, "pk", None) or project.author_id != user.pk:
        raise BudgetError(BudgetCode.NOT_FOUND, _("There is no such project."))
    if not text:
        raise BudgetError(BudgetCode.INVALID, _("Write your answer."), field="text")
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if locked.status == Status.SUBMITTED or locked.author_answer:
            raise BudgetError(BudgetCode.WRONG_STATUS,
                              _("The author answers once, after the review."))
        locked.author_answer = text[:REASON]
        locked.save(update_fields=["author_answer"])
    return locked


def record_progress(clerk: Any, project: Project, stage: str, spent: int,
                    note: str, uploads: Sequence[IO[bytes]] = ()) -> Progress:
    """A winner's implementation step; the stage "done" marks the project implemented."""
    note = (note or "").strip()
    if project.status not in (Status.WINNER, Status.DONE):
        raise BudgetError(BudgetCode.WRONG_STATUS,
                          _("Only winning projects are implemented."))
    if stage not in Stage.values:
        raise BudgetError(BudgetCode.INVALID, _("Unknown stage."), field="stage")
    if not note:
        raise BudgetError(BudgetCode.INVALID, _("Say what was done."), field="note")
    if spent < 0 or spent > project.cost * 2:
        raise BudgetError(BudgetCode.INVALID,
                          _("The money spent must be between 0 and twice the cost."),
                          field="spent")
    images = clean_photos(uploads)
    with transaction.atomic():
        step = Progress.objects.create(project=project, stage=stage, spent=spent,
                                       note=note[:REASON], recorded_by=clerk)
        save_photos(project, images, step)
        project.spent = spent
        if stage == Stage.DONE:
            project.status = Status.DONE
        project.save(update_fields=["spent", "status"])
        bus.publish(ProjectProgressed(project_id=project.pk, number=project.number,
                                      stage=stage, spent=spent))
    return step
