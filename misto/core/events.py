"""Domain events and their handlers: the vocabulary and registry of the event bus.

A module declares the events it publishes as dataclasses deriving from :class:`DomainEvent`
in its own ``events.py`` (its published contract, importing nothing but this file), and
registers its reactions to other modules' events with :func:`consumes` in its ``handlers.py``.
Modules never import each other's handlers: the event name is the whole contract.

This file is the bottom of the event layers and imports no other part of Misto:
``events`` (what exists) <- ``outbox`` (delivering a stored event to its handlers) <-
``transport`` (when and where deliveries run) <- ``bus`` (``publish``, ``after_commit``,
``replay``: the entry points the modules and the staff screens call).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar


class DomainEvent:
    """Base for event dataclasses. ``event_name`` defaults to ``<module label>.<Class>``."""

    event_name: ClassVar[str]
    #: The payload fields the public ledger records for this event (public references only;
    #: the ledger refuses a declaration naming the actor). Empty: not ledgered.
    ledgered: ClassVar[tuple[str, ...]] = ()
    _types: ClassVar[dict[str, type[DomainEvent]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "event_name" not in cls.__dict__:
            app = cls.__module__.removesuffix(".events")
            cls.event_name = f"{app.rsplit('.', 1)[-1]}.{cls.__name__}"
        DomainEvent._types[cls.event_name] = cls

    def to_payload(self) -> dict[str, Any]:
        if not dataclasses.is_dataclass(self):
            raise TypeError(f"{type(self).__name__} must be a dataclass")
        return {key: _jsonable(value) for key, value in dataclasses.asdict(self).items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(item) for item in value]
    return value


@dataclass(frozen=True)
class EventEnvelope:
    """What a handler receives: the stored event, whichever transport carried it."""

    id: int
    uuid: str
    name: str
    payload: dict[str, Any]
    occurred_at: datetime


HandlerFunc = Callable[[EventEnvelope], None]


@dataclass(frozen=True)
class Handler:
    id: str
    event_name: str
    func: HandlerFunc
    app: str
    # Inline handlers are also tried in the publishing process right after commit (for
    # low latency); the worker still delivers them if that process dies first.
    inline: bool = False


_handlers: dict[str, list[Handler]] = defaultdict(list)
_handlers_by_id: dict[str, Handler] = {}


def consumes(*event_names: str, inline: bool = False) -> Callable[[HandlerFunc], HandlerFunc]:
    """Register the decorated function as a handler of the named events.

    Handlers must be idempotent in their effects outside the database (at-least-once);
    their database writes commit together with the delivery mark, so those happen once.
    """

    def register(func: HandlerFunc) -> HandlerFunc:
        # The id is "<module>.<function>", never the file's path: deliveries waiting in the
        # outbox name their handler by it, so it must survive the handler moving between
        # files (as when handlers left events.py for handlers.py).
        app = func.__module__.removesuffix(".events").removesuffix(".handlers")
        for event_name in event_names:
            handler_id = f"{app.rsplit('.', 1)[-1]}.{func.__name__}"
            if len(event_names) > 1:
                handler_id = f"{handler_id}[{event_name}]"
            handler = Handler(handler_id, event_name, func, app, inline)
            if handler_id in _handlers_by_id:
                continue  # module imported twice (e.g. by a test runner); keep the first
            _handlers[event_name].append(handler)
            _handlers_by_id[handler_id] = handler
        return func

    return register


def handlers_for(event_name: str) -> list[Handler]:
    return list(_handlers.get(event_name, ()))


def handler_by_id(handler_id: str) -> Handler | None:
    return _handlers_by_id.get(handler_id)


def all_handlers() -> list[Handler]:
    return list(_handlers_by_id.values())


def event_type(event_name: str) -> type[DomainEvent] | None:
    return DomainEvent._types.get(event_name)


def events_published_by(app: str) -> list[str]:
    return sorted(
        name for name, cls in DomainEvent._types.items()
        if cls.__module__.removesuffix(".events") == app
    )


def events_consumed_by(app: str) -> list[str]:
    return sorted({h.event_name for h in _handlers_by_id.values() if h.app == app})


@dataclasses.dataclass(frozen=True)
class CalendarChanged(DomainEvent):
    """The city changed its working-day calendar: modules recompute running deadlines whose
    span contains ``day`` (``misto.core.workdays``)."""

    day: str
