"""From the threshold to the answer: the public clock of working days, the official answer
that reaches every signer, and what happens when it is late."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from misto.core import bus, workdays
from misto.core.permissions import who_can
from misto.petitions.errors import PetitionError, PetitionsCode
from misto.petitions.events import (
    PetitionAnswered,
    PetitionClosed,
    PetitionOverdue,
    PetitionThresholdReached,
)
from misto.petitions.models import Petition, Signature, Status
from misto.petitions.services.rules import current_rules

ANSWER = (20, 20_000)
DOCUMENT_BYTES = 10 * 1024 * 1024
#: Signers per ``PetitionAnswered`` event (each a notification batch).
NOTIFY_CHUNK = 5000


def _url(petition: Petition) -> str:
    return reverse("petitions:detail", args=[petition.number])


def answer_deadline(petition: Petition) -> workdays.Deadline | None:
    """The answer's deadline with its calculation, from the stored inputs."""
    if petition.threshold_reached_on is None:
        return None
    return workdays.working_deadline(petition.threshold_reached_on,
                                     petition.answer_working_days or 10)


def reach_threshold(petition: Petition, count: int) -> None:
    """Called inside the signing transaction that reached the threshold."""
    petition.status = Status.CONSIDERATION
    petition.threshold_reached_on = timezone.localdate()
    due = answer_deadline(petition)
    assert due is not None
    petition.answer_due = due.due
    petition.save(update_fields=["status", "threshold_reached_on", "answer_due"])
    bus.publish(PetitionThresholdReached(
        petition_id=petition.pk, number=petition.number or "", title=petition.title,
        count=count, department=petition.department, answer_due=due.due.isoformat(),
        author_user_id=petition.author_id, url=_url(petition),
        answerer_user_ids=sorted(who_can("petitions.petition.answer", petition)
                                 .values_list("pk", flat=True)),
        queue_url=reverse("petitions:answering")))


def check_answer(text: str, document: UploadedFile | None) -> str:
    text = (text or "").strip()
    if len(text) < ANSWER[0]:
        raise PetitionError(PetitionsCode.INVALID,
                            _("Write the answer (at least %(n)s characters).") % {"n": ANSWER[0]},
                            field="text")
    if len(text) > ANSWER[1]:
        raise PetitionError(PetitionsCode.INVALID, _("The answer is too long."), field="text")
    if document is not None:
        if document.size and document.size > DOCUMENT_BYTES:
            raise PetitionError(PetitionsCode.INVALID, _("The document is larger than 10 MB."),
                                field="document")
        head = document.read(5)
        document.seek(0)
        if head != b"%PDF-":
            raise PetitionError(PetitionsCode.INVALID, _("The document must be a PDF."),
                                field="document")
    return text


def answer(clerk: Any, petition: Petition, text: str,
           document: UploadedFile | None = None) -> Petition:
    """Publish the official answer; every active signer and the author are notified."""
    clean = check_answer(text, document)
    if petition.status != Status.CONSIDERATION:
        raise PetitionError(PetitionsCode.WRONG_STATUS,
                            _("Only a petition under consideration can be answered."))
    today = timezone.localdate()
    with transaction.atomic():
        petition.status = Status.ANSWERED
        petition.answered_at = timezone.now()
        petition.answer_text = clean
        if document is not None:
            petition.answer_document.save(f"{petition.number}.pdf", document, save=False)
        petition.save()
        on_time = petition.answer_due is None or today <= petition.answer_due
        signers = list(Signature.objects.filter(Signature.active_q(), petition=petition,
                                                user__isnull=False)
                       .order_by("pk").values_list("user_id", flat=True))
        chunks = [signers[i:i + NOTIFY_CHUNK] for i in range(0, len(signers), NOTIFY_CHUNK)]
        for number, chunk in enumerate(chunks or [[]]):
            bus.publish(PetitionAnswered(
                petition_id=petition.pk, number=petition.number or "", title=petition.title,
                on_time=on_time, url=_url(petition), author_user_id=petition.author_id,
                signer_user_ids=chunk, chunk=number))
    return petition


def close_expired(today: date | None = None) -> int:
    """Collecting petitions whose period ended below the threshold become unsuccessful."""
    today = today or timezone.localdate()
    closed = 0
    for petition in Petition.objects.filter(status=Status.COLLECTING,
                                            collection_ends__lt=today):
        with transaction.atomic():
            petition.status = Status.UNSUCCESSFUL
            petition.save(update_fields=["status"])
            bus.publish(PetitionClosed(petition_id=petition.pk, number=petition.number or "",
                                       count=petition.signature_count, status=petition.status,
                                       author_user_id=petition.author_id))
        closed += 1
    return closed


def mark_overdue(today: date | None = None) -> int:
    """Unanswered past ``answer_due``: a red mark on the page and one incident, once."""
    today = today or timezone.localdate()
    marked = 0
    for petition in Petition.objects.filter(status=Status.CONSIDERATION,
                                            answer_due__lt=today, overdue_since__isnull=True):
        with transaction.atomic():
            petition.overdue_since = today
            petition.save(update_fields=["overdue_since"])
            bus.publish(PetitionOverdue(
                petition_id=petition.pk, number=petition.number or "", title=petition.title,
                department=petition.department,
                answer_due=petition.answer_due.isoformat() if petition.answer_due else "",
                url=_url(petition)))
        marked += 1
    return marked


def recompute_deadlines() -> int:
    """After a calendar change: every running answer clock from its stored inputs."""
    moved = 0
    for petition in Petition.objects.filter(status=Status.CONSIDERATION):
        due = answer_deadline(petition)
        if due is not None and due.due != petition.answer_due:
            petition.answer_due = due.due
            if petition.overdue_since and due.due >= timezone.localdate():
                petition.overdue_since = None
            petition.save(update_fields=["answer_due", "overdue_since"])
            moved += 1
    return moved


def archive_settled(today: date | None = None) -> int:
    """Answered and unsuccessful petitions go to the archive after the rules' delay (still
    public, no longer on the main list's default view)."""
    today = today or timezone.localdate()
    delay = timedelta(days=current_rules().archive_after_days)
    answered = Petition.objects.filter(status=Status.ANSWERED,
                                       answered_at__date__lt=today - delay)
    short = Petition.objects.filter(status=Status.UNSUCCESSFUL,
                                    collection_ends__lt=today - delay)
    return answered.update(status=Status.ARCHIVED) + short.update(status=Status.ARCHIVED)
