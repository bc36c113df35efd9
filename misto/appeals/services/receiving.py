"""Receiving an appeal: from the resident's e-reception, or registered by the contact centre
or the registry from a call or a letter. ``check_appeal`` validates everything first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from misto import residents
from misto.appeals.errors import AppealError, AppealProblems, AppealsCode
from misto.appeals.events import AppealRegistered
from misto.appeals.models import (
    TERM,
    Appeal,
    Channel,
    Direction,
    Kind,
    Message,
    MessageKind,
    Reception,
)
from misto.appeals.services.access import access_reception
from misto.appeals.services.attachments import clean_attachment
from misto.appeals.services.deadlines import deadline_of, url_of
from misto.core import bus
from misto.core.config import env_list

SUBJECT = (5, 200)
TEXT = (20, 20_000)


@dataclass(frozen=True)
class CheckedAppeal:
    reception: Reception
    kind: str
    subject: str
    text: str
    attachment: ContentFile | None


def _length(value: str, bounds: tuple[int, int], field: str, problems: dict[str, str]) -> str:
    value = (value or "").strip()
    if len(value) < bounds[0]:
        problems[field] = _("Write at least %(n)s characters.") % {"n": bounds[0]}
    elif len(value) > bounds[1]:
        problems[field] = _("At most %(n)s characters.") % {"n": bounds[1]}
    return value


def check_appeal(reception: str, kind: str, subject: str, text: str,
                 attachment: IO[bytes] | None = None) -> CheckedAppeal:
    """Everything an appeal needs, every problem at once; nothing is written."""
    problems: dict[str, str] = {}
    found = None
    try:
        found = access_reception(reception)
    except AppealError:
        problems["reception"] = _("Choose a reception from the list.")
    if kind not in Kind.values:
        problems["kind"] = _("Choose what it is: a proposal, an application or a complaint.")
    clean_subject = _length(subject, SUBJECT, "subject", problems)
    clean_text = _length(text, TEXT, "text", problems)
    file = None
    try:
        file = clean_attachment(attachment)
    except AppealError as error:
        problems["attachment"] = error.message
    if problems or found is None:
        raise AppealProblems(problems)
    return CheckedAppeal(found, kind, clean_subject, clean_text, file)


def privileged_categories() -> set[str]:
    """Benefit codes whose holders' appeals go first (Art. 20: Heroes of Ukraine, war
    veterans, persons with disabilities caused by the war...), configurable."""
    return set(env_list("MISTO_APPEALS_PRIVILEGED", "hero,veteran,war_disability,disability"))


def _is_privileged(author: Any) -> bool:
    summary = residents.person_summary(author) if author is not None else None
    return bool(summary and privileged_categories() & set(summary["benefits"]))


def _number(year: int) -> str:
    taken = Appeal.objects.filter(number__startswith=f"{year}-").count()
    return f"{year}-{taken + 1:06d}"


def register(checked: CheckedAppeal, *, author: Any = None, channel: str = Channel.WEB,
             contact: str = "", registered_by: Any = None,
             received_on: date | None = None) -> Appeal:
    """Register the appeal with its number and deadline; the first message is its text."""
    if channel != Channel.WEB and not (author or contact.strip()):
        raise AppealError(AppealsCode.INVALID,
                          _("Write down the name and postal address to answer to."),
                          field="contact")
    received = received_on or timezone.localdate()
    for _attempt in range(5):  # two appeals at the same instant: the number is unique
        try:
            with transaction.atomic():
                appeal = Appeal(
                    number=_number(received.year), kind=checked.kind, channel=channel,
                    reception=checked.reception, department=checked.reception.department,
                    author=author, contact=contact.strip()[:500], subject=checked.subject,
                    privileged=_is_privileged(author), registered_by=registered_by,
                    received_on=received, term_days=TERM)
                appeal.due = deadline_of(appeal).due
                appeal.save()
                message = Message(appeal=appeal, direction=Direction.IN,
                                  kind=MessageKind.APPEAL, text=checked.text, author=author)
                if checked.attachment is not None:
                    message.attachment.save(checked.attachment.name or "attachment",
                                            checked.attachment, save=False)
                message.save()
                bus.publish(AppealRegistered(
                    appeal_id=appeal.pk, number=appeal.number,
                    reception=checked.reception.code, department=appeal.department,
                    kind=appeal.kind, channel=channel, due=appeal.due.isoformat(),
                    privileged=appeal.privileged,
                    author_user_id=author.pk if author is not None else None,
                    url=url_of(appeal)))
            return appeal
        except IntegrityError:
            continue
    raise AppealError(AppealsCode.INVALID, _("Could not number the appeal; try again."))
