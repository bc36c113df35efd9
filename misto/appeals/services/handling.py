"""Handling an appeal in its one thread: assign, ask for information, extend with notice,
answer; the resident replies in the same thread. Each step is a message and an event, so
the resident hears of it by e-mail and push (the notifications module)."""

from __future__ import annotations

from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from misto.appeals.errors import AppealError, AppealsCode
from misto.appeals.events import AppealAnswered, AppealMessageSent, AppealReplied
from misto.appeals.models import (
    MAX_TERM,
    SHORT_TERM,
    TERM,
    Appeal,
    Direction,
    Message,
    MessageKind,
    Status,
)
from misto.appeals.services.attachments import clean_attachment
from misto.appeals.services.deadlines import deadline_of, url_of
from misto.core import bus
from misto.core.permissions import can

TEXT = 20_000


def _text(text: str, minimum: int = 2) -> str:
    text = (text or "").strip()
    if len(text) < minimum:
        raise AppealError(AppealsCode.INVALID, _("Write at least %(n)s characters.")
                          % {"n": minimum}, field="text")
    if len(text) > TEXT:
        raise AppealError(AppealsCode.INVALID, _("At most %(n)s characters.") % {"n": TEXT},
                          field="text")
    return text


def _check_open(appeal: Appeal) -> None:
    if not appeal.is_open:
        raise AppealError(AppealsCode.WRONG_STATUS, _("This appeal is already answered."))


def _post(appeal: Appeal, author: Any, direction: str, kind: str, text: str,
          attachment: IO[bytes] | None = None) -> Message:
    file = clean_attachment(attachment)
    message = Message(appeal=appeal, direction=direction, kind=kind, text=text, author=author)
    if file is not None:
        message.attachment.save(file.name or "attachment", file, save=False)
    message.save()
    return message


def _tell_author(appeal: Appeal, kind: str) -> None:
    bus.publish(AppealMessageSent(appeal_id=appeal.pk, number=appeal.number, kind=kind,
                                  due=appeal.due.isoformat(), author_user_id=appeal.author_id,
                                  url=url_of(appeal)))


def assign(clerk: Any, appeal: Appeal, executor: Any, term_days: int = TERM) -> Appeal:
    """Give the appeal to ``executor`` with the term the office decides: 15 days when it needs
    no extra study, otherwise 30."""
    _check_open(appeal)
    if term_days not in (SHORT_TERM, TERM):
        raise AppealError(AppealsCode.INVALID, _("The term is 15 or 30 days; a longer one is "
                                                 "an extension."), field="term_days")
    if executor is None or not can(executor, "appeals.appeal.handle", appeal):
        raise AppealError(AppealsCode.INVALID, _("The executor must be a clerk of the "
                                                 "handling department."), field="executor")
    with transaction.atomic():
        appeal.executor = executor
        appeal.term_days = term_days
        appeal.due = deadline_of(appeal).due
        if appeal.status == Status.REGISTERED:
            appeal.status = Status.IN_PROGRESS
        appeal.save(update_fields=["executor", "term_days", "due", "status"])
    return appeal


def request_information(clerk: Any, appeal: Appeal, text: str) -> Message:
    """Ask the resident for more in the thread; the law's clock keeps running."""
    _check_open(appeal)
    clean = _text(text, 10)
    with transaction.atomic():
        message = _post(appeal, clerk, Direction.OUT, MessageKind.INFO_REQUEST, clean)
        appeal.status = Status.INFO_REQUESTED
        appeal.save(update_fields=["status"])
        _tell_author(appeal, MessageKind.INFO_REQUEST)
    return message


def write(clerk: Any, appeal: Appeal, text: str, attachment: IO[bytes] | None = None) -> Message:
    _check_open(appeal)
    with transaction.atomic():
        message = _post(appeal, clerk, Direction.OUT, MessageKind.MESSAGE, _text(text),
                        attachment)
        _tell_author(appeal, MessageKind.MESSAGE)
    return message


def reply(author: Any, appeal: Appeal, text: str, attachment: IO[bytes] | None = None) -> Message:
    """The resident writes in the thread (an answer to a request, or more detail)."""
    _check_open(appeal)
    if appeal.author_id is None or appeal.author_id != getattr(author, "pk", None):
        raise AppealError(AppealsCode.NOT_FOUND, _("There is no such appeal."))
    with transaction.atomic():
        message = _post(appeal, author, Direction.IN, MessageKind.MESSAGE, _text(text),
                        attachment)
        if appeal.status == Status.INFO_REQUESTED:
            appeal.status = Status.IN_PROGRESS
            appeal.save(update_fields=["status"])
        bus.publish(AppealReplied(appeal_id=appeal.pk, number=appeal.number,
                                  executor_user_id=appeal.executor_id, url=url_of(appeal)))
    return message


def extend(clerk: Any, appeal: Appeal, total_days: int, reason: str) -> Appeal:
    """Extend the term to ``total_days`` (at most 45 in total), with the reason, which the
    resident is told in the thread."""
    _check_open(appeal)
    reason = (reason or "").strip()
    if not reason:
        raise AppealError(AppealsCode.INVALID, _("Give the reason for the extension."),
                          field="reason")
    if total_days > MAX_TERM:
        raise AppealError(AppealsCode.EXTENSION_LIMIT,
                          _("The law allows at most %(max)s days in total.") % {"max": MAX_TERM},
                          field="total_days")
    if total_days <= appeal.term_days:
        raise AppealError(AppealsCode.INVALID, _("An extension must be longer than the "
                                                 "current term (%(days)s days).")
                          % {"days": appeal.term_days}, field="total_days")
    with transaction.atomic():
        appeal.term_days = total_days
        appeal.extension_reason = reason[:2000]
        deadline = deadline_of(appeal)
        appeal.due = deadline.due
        if appeal.overdue_since and appeal.due >= timezone.localdate():
            appeal.overdue_since = None
        appeal.save(update_fields=["term_days", "extension_reason", "due", "overdue_since"])
        _post(appeal, clerk, Direction.OUT, MessageKind.EXTENSION,
              _("The term is extended to %(days)s days, until %(due)s. Reason: %(reason)s")
              % {"days": total_days, "due": appeal.due.isoformat(), "reason": reason})
        _tell_author(appeal, MessageKind.EXTENSION)
    return appeal


def answer(clerk: Any, appeal: Appeal, text: str, attachment: IO[bytes] | None = None) -> Appeal:
    """The final answer, in the thread; the appeal is closed."""
    _check_open(appeal)
    clean = _text(text, 20)
    today = timezone.localdate()
    with transaction.atomic():
        _post(appeal, clerk, Direction.OUT, MessageKind.ANSWER, clean, attachment)
        appeal.status = Status.ANSWERED
        appeal.answered_at = timezone.now()
        appeal.save(update_fields=["status", "answered_at"])
        bus.publish(AppealAnswered(
            appeal_id=appeal.pk, number=appeal.number, department=appeal.department,
            on_time=today <= appeal.due, days=(today - appeal.received_on).days,
            author_user_id=appeal.author_id, url=url_of(appeal)))
    return appeal


