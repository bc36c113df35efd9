"""Hearings (public consultations): a topic with documents, a comment period for verified
residents, moderation that hides a comment citing a rule (the original is kept), then the
organiser's report. A hearing only moves forward: draft -> open -> closed -> reported."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from misto.consultations.errors import ConsultationsCode, ConsultationsError
from misto.consultations.events import ConsultationReportPublished
from misto.consultations.models import Comment, Document, Hearing, Rule, State
from misto.consultations.services.common import (
    check_dates,
    check_districts,
    check_resident,
    is_running,
    organiser_department,
)
from misto.core import bus
from misto.core.permissions import can

COMMENT_LIMIT = 4000


def create_hearing(organiser: Any, title_uk: str, closes_at: datetime, *, title_en: str = "",
                   summary_uk: str = "", summary_en: str = "",
                   documents: list[dict[str, str]] | None = None,
                   districts: list[str] | None = None, district_only: bool = False,
                   min_age: int = 14, opens_at: datetime | None = None,
                   department: str = "") -> Hearing:
    """A hearing as a draft, with its documents (title, text, link in both languages)."""
    if not str(title_uk or "").strip() or len(title_uk) > 200 or len(title_en or "") > 200:
        raise ConsultationsError(ConsultationsCode.INVALID,
                                 _("A title of up to 200 characters is required."),
                                 field="title_uk")
    check_dates(opens_at, closes_at)
    chosen = check_districts(districts or [])
    if district_only and not chosen:
        raise ConsultationsError(ConsultationsCode.INVALID,
                                 _("Name the districts concerned."), field="districts")
    docs = list(documents or [])
    if any(not str(d.get("title_uk") or "").strip() for d in docs):
        raise ConsultationsError(ConsultationsCode.INVALID,
                                 _("Every document needs a title."), field="documents")
    with transaction.atomic():
        hearing = Hearing.objects.create(
            title_uk=title_uk.strip(), title_en=(title_en or "").strip(),
            summary_uk=summary_uk, summary_en=summary_en, closes_at=closes_at,
            opens_at=opens_at, districts=chosen, district_only=district_only,
            min_age=min_age, department=department or organiser_department(organiser),
            organiser=organiser if getattr(organiser, "pk", None) else None)
        Document.objects.bulk_create([
            Document(hearing=hearing, position=n, title_uk=str(d["title_uk"])[:200],
                     title_en=str(d.get("title_en") or "")[:200],
                     body_uk=str(d.get("body_uk") or ""), body_en=str(d.get("body_en") or ""),
                     url=str(d.get("url") or "")[:200])
            for n, d in enumerate(docs, start=1)])
    return hearing


def _move(hearing: Hearing, source: str, target: str) -> Hearing:
    with transaction.atomic():
        locked = Hearing.objects.select_for_update().get(pk=hearing.pk)
        if locked.state != source:
            raise ConsultationsError(ConsultationsCode.WRONG_STATE,
                                     _("The consultation is %(state)s; it cannot do that now.")
                                     % {"state": locked.get_state_display()})
        locked.state = target
        if target == State.OPEN:
            locked.opens_at = locked.opens_at or timezone.now()
        if target == State.CLOSED:
            locked.closes_at = min(locked.closes_at, timezone.now())
        locked.save()
    return locked


def publish_hearing(hearing: Hearing) -> Hearing:
    return _move(hearing, State.DRAFT, State.OPEN)


def close_hearing(hearing: Hearing) -> Hearing:
    return _move(hearing, State.OPEN, State.CLOSED)


def close_due_hearings(now: datetime | None = None) -> int:
    """Close every comment period whose time is up (the scheduler's task); how many."""
    closed = 0
    for hearing in Hearing.objects.filter(state=State.OPEN,
                                          closes_at__lte=now or timezone.now()):
        try:
            close_hearing(hearing)
        except ConsultationsError:
            continue
        closed += 1
    return closed


def publish_report(hearing: Hearing, report_uk: str, report_en: str = "") -> Hearing:
    """The organiser's report of the results (after the comment period)."""
    if not str(report_uk or "").strip():
        raise ConsultationsError(ConsultationsCode.INVALID, _("The report is empty."),
                                 field="report_uk")
    with transaction.atomic():
        locked = _move(hearing, State.CLOSED, State.REPORTED)
        locked.report_uk, locked.report_en = report_uk.strip(), (report_en or "").strip()
        locked.reported_at = timezone.now()
        locked.save(update_fields=["report_uk", "report_en", "reported_at"])
        bus.publish(ConsultationReportPublished(
            hearing_id=locked.pk, comments=Comment.objects.filter(hearing=locked).count(),
            url=reverse("consultations:hearing", args=[locked.pk])))
    return locked


def comment(user: Any, level: str | None, hearing: Hearing, body: str,
            parent_id: int | None = None) -> Comment:
    """A verified resident's comment or reply while the comment period runs."""
    if not is_running(hearing):
        raise ConsultationsError(ConsultationsCode.WRONG_STATE,
                                 _("Comments on this consultation are closed."))
    person = check_resident(user, level, hearing, "comment")
    text = str(body or "").strip()
    if not text or len(text) > COMMENT_LIMIT:
        raise ConsultationsError(ConsultationsCode.INVALID,
                                 _("Write a comment of up to %(n)s characters.")
                                 % {"n": COMMENT_LIMIT}, field="body")
    parent = None
    if parent_id is not None:
        parent = Comment.objects.filter(pk=parent_id, hearing=hearing).first()
        if parent is None:
            raise ConsultationsError(ConsultationsCode.INVALID,
                                     _("There is no such comment to reply to."),
                                     field="parent")
    return Comment.objects.create(hearing=hearing, parent=parent, author=user,
                                  district=person.district, body=text)


def access_comment(user: Any, comment_id: int) -> Comment:
    """A comment a moderator may act on; the same 404 for missing and not theirs."""
    found = Comment.objects.select_related("hearing").filter(pk=comment_id).first()
    if found is None or not can(user, "consultations.comment.moderate", found.hearing):
        raise ConsultationsError(ConsultationsCode.NOT_FOUND, _("There is no such comment."))
    return found


def hide_comment(moderator: Any, found: Comment, rule: str, reason: str = "") -> Comment:
    """Hide a comment citing the rule it breaks; its text is kept (for an appeal)."""
    if rule not in Rule.values:
        raise ConsultationsError(ConsultationsCode.INVALID, _("Cite one of the rules."),
                                 field="rule")
    if found.hidden:
        raise ConsultationsError(ConsultationsCode.WRONG_STATE,
                                 _("This comment is already hidden."))
    found.hidden_rule, found.hidden_reason = rule, str(reason or "").strip()[:1000]
    found.hidden_by, found.hidden_at = moderator, timezone.now()
    found.save(update_fields=["hidden_rule", "hidden_reason", "hidden_by", "hidden_at"])
    return found


def thread(hearing: Hearing) -> list[tuple[Comment, list[Comment]]]:
    """The comments in order, each top-level one with its replies."""
    rows = list(Comment.objects.filter(hearing=hearing))
    replies: dict[int, list[Comment]] = {}
    for row in rows:
        if row.parent_id:
            replies.setdefault(row.parent_id, []).append(row)
    return [(row, replies.get(row.pk, [])) for row in rows if not row.parent_id]
