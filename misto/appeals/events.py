"""What the e-reception publishes (its contract; docs/events.md).

No event carries the appeal's text or the resident's name: the author is a user id for the
notifications module to address, the executor a user id for the escalation.
"""

from __future__ import annotations

from dataclasses import dataclass

from misto.core.events import DomainEvent


@dataclass(frozen=True)
class AppealRegistered(DomainEvent):
    appeal_id: int
    number: str
    reception: str
    department: str
    kind: str
    channel: str
    due: str
    privileged: bool
    author_user_id: int | None
    url: str


@dataclass(frozen=True)
class AppealMessageSent(DomainEvent):
    """The office wrote in the thread (a message, a request for information, an extension
    notice): the author is told."""

    appeal_id: int
    number: str
    kind: str
    due: str
    author_user_id: int | None
    url: str


@dataclass(frozen=True)
class AppealReplied(DomainEvent):
    """The resident wrote in the thread: the executor is told."""

    appeal_id: int
    number: str
    executor_user_id: int | None
    url: str


@dataclass(frozen=True)
class AppealAnswered(DomainEvent):
    appeal_id: int
    number: str
    department: str
    on_time: bool
    days: int
    author_user_id: int | None
    url: str


@dataclass(frozen=True)
class AppealOverdue(DomainEvent):
    """Past its deadline without an answer (once): escalated to the executor, the head of
    the executor's office (``head_user_id``: the reception's head, else the department
    head's; ``None`` when the directory names neither) and the situational centre."""

    appeal_id: int
    number: str
    department: str
    reception: str
    due: str
    executor_user_id: int | None
    url: str
    head_user_id: int | None = None
