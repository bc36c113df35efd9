"""The module registry: what each installed module offers to the rest of the platform.

A module is a Django app whose AppConfig subclasses :class:`MistoModule` and fills in its
declarations. The site's navigation, URL tree, API and the resident's cabinet are all built
by iterating :func:`modules`, so switching a module off in ``MISTO_MODULES`` removes every
trace of it without touching another file.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from django.apps import AppConfig, apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.module_loading import import_string

from misto.core.events import events_consumed_by, events_published_by
from misto.core.modules import ALWAYS_ON, available_optional_modules

if TYPE_CHECKING:
    from django.http import HttpRequest

Audience = Literal["public", "resident", "staff"]
Panel = TypeVar("Panel")


@dataclass(frozen=True)
class MenuEntry:
    """A link in the site navigation. ``audience`` decides who sees it."""

    label: str | Promise
    url_name: str
    audience: Audience = "public"
    # For staff entries: the declared ``can`` action that shows it (required for them).
    permission: str | None = None
    # For staff entries: the roles whose everyday work this page is. It comes first in
    # their menu; others who may open it find it under "More" (see :func:`navigation_for`).
    roles: tuple[str, ...] = ()
    # For public entries: a resident's everyday page (report a problem, outages, shelters,
    # transport). These and the cabinet stand in the header; the rest go under "More".
    everyday: bool = False


@dataclass(frozen=True)
class Periodic:
    """A job the scheduler enqueues every ``every``; ``task`` is a dotted task path."""

    name: str
    task: str
    every: timedelta


class PanelOrder(IntEnum):
    """Where a panel stands on the cabinet home: what concerns the resident now comes first.

    Panels of the same order keep the modules' order; the privacy panel closes the page.
    """

    ALERTS = 10  # my district's current outages and emergencies
    MY_CASES = 20  # my open reports, appeals... with their next step
    SUBSCRIPTIONS = 30
    INBOX = 40
    QUICK_ACTIONS = 50
    OTHER = 60  # receipts and the rest


@dataclass(frozen=True)
class Banner:
    """An urgent notice shown on top of every page while it holds (an emergency).

    Modules hand these to the core through ``MistoModule.banners``; the base template
    renders them, so the core shows a module's banner without importing the module.
    """

    text: str | Promise
    url: str
    link_text: str | Promise


@dataclass(frozen=True)
class CabinetPanel:
    """What a module shows in the resident's cabinet (rendered by the cabinet page)."""

    title: str | Promise
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    url_name: str | None = None
    order: int = PanelOrder.OTHER
    # A stable id for the panel's section on the page (and for tests), e.g. "reports-mine".
    key: str = ""


@dataclass(frozen=True)
class DashboardPanel:
    """What a module shows on the situational centre's dashboard, where the city's leaders
    already look (the City Progress Index's figures). The builder decides who sees it:
    it returns ``None`` for a user without the module's permission. The template, rendered
    with ``panel``, holds its own links."""

    title: str | Promise
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    # A stable id for the panel's section on the page (and for tests), e.g. "index-leaders".
    key: str = ""


@dataclass(frozen=True)
class Workspace:
    """Where a staff ``role`` lands after signing in (the queue, the situation centre...).

    The lowest ``priority`` among the workspaces of a user's roles wins.
    """

    role: str
    url_name: str
    priority: int = 50


@dataclass(frozen=True)
class Column:
    """One typed column of an open-data table (a Frictionless Table Schema field).

    ``type`` is Frictionless's: string, integer, number, boolean, date, datetime, geojson.
    """

    name: str
    type: str
    title: str = ""
    title_en: str = ""
    unit: str = ""


@dataclass(frozen=True)
class OpenTable:
    """A table of an open dataset: its typed columns and the function producing its rows.

    ``produce`` returns dicts keyed by column name; with ``geometry`` each row also carries
    a GeoJSON geometry under ``"geometry"`` (published as GeoJSON besides CSV and JSON).
    The producer reads only its own module's tables and returns nothing personal.
    """

    name: str
    title: str
    title_en: str
    columns: tuple[Column, ...]
    produce: Callable[[], Iterable[dict[str, Any]]]
    geometry: bool = False


@dataclass(frozen=True)
class OpenDataset:
    """A dataset a module publishes (DCAT-AP's dcat:Dataset); see ``MistoModule.datasets``.

    ``theme`` is an EU data-theme code (GOVE, TRAN, REGI, SOCI...), ``frequency`` an EU
    frequency code (DAILY, WEEKLY...), ``resolution_835`` the item of CMU resolution 835's
    list it fulfils (``mun-024``), if any.
    """

    name: str
    title: str
    title_en: str
    description: str
    description_en: str
    publisher: str
    theme: str
    keywords: tuple[str, ...]
    frequency: str
    tables: tuple[OpenTable, ...]
    resolution_835: str = ""
    # Events (``"<module>.<Event>"``) that change its data: each marks the dataset stale and
    # a task regenerates it soon after; the hourly regeneration is the backstop.
    stale_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegisteredApp:
    """An application a partner organisation connected to one of the platform's APIs, as
    the directory's partners page shows it (its name and the interface; never the key)."""

    name: str
    interface: str


@dataclass(frozen=True)
class Measure:
    """What an indicator function found for a period: the value (``None`` when the period
    holds nothing to measure, e.g. a median of no rows) and how many rows it counted."""

    value: float | None
    inputs: int


@dataclass(frozen=True)
class IndicatorFunction:
    """A function a module exports on purpose for the City Progress Index (``misto.index``).

    ``compute(start, end, district)`` reads only the declaring module's own tables and
    returns a :class:`Measure` for the half-open interval ``[start, end)``; ``district`` is
    a KATOTTG code (only asked when ``by_district``) or ``None`` for the whole city. A stock
    (how many shelters) is counted as it stood at ``end``. ``name`` is what the catalogue's
    formula names (``reports.resolution_hours_median``); ``version`` goes up whenever the
    method changes, so the lineage of every stored value says which method made it.
    """

    name: str
    compute: Callable[[datetime, datetime, str | None], Measure]
    description: str
    version: int = 1
    by_district: bool = False


@dataclass(frozen=True)
class ReadingSink:
    """A module's claim on the readings of some device models (:mod:`misto.core.readings`).

    ``handler`` is a dotted path to ``callable(samples: Sequence[Sample]) -> None``, called in
    the transaction that stores the readings, with the batch's samples of the claimed models
    in time order.
    """

    models: tuple[str, ...]  # device model codes
    handler: str


@dataclass(frozen=True)
class MessageSink:
    """A module's claim on a device channel other than readings (:mod:`misto.core.uplinks`):
    a ride validator's batch of taps on ``misto/<tenant>/devices/<id>/taps``.

    ``handler`` is a dotted path to ``callable(message: Uplink) -> None``, called once per
    message from an active device of one of ``models``, in a transaction of its own, before
    the message is acknowledged.
    """

    models: tuple[str, ...]  # device model codes
    channel: str  # the topic's last level: a lower-case word other than "readings"
    handler: str


class MistoModule(AppConfig):
    """Base AppConfig for every Misto module. Subclasses declare; the core assembles."""

    default_auto_field = "django.db.models.BigAutoField"
    title: str | Promise = ""
    optional: bool = True
    menu: tuple[MenuEntry, ...] = ()
    # (URL prefix, urlconf module); a module may mount several, e.g. a standard's API.
    urls: tuple[tuple[str, str], ...] = ()
    # Dotted path to a ninja Router, mounted at /api/<api_prefix>/.
    api_router: str | None = None
    api_prefix: str = ""
    # Dotted path to ``callable(request) -> CabinetPanel | None``; ``cabinet_panels`` for a
    # module that shows several (each panel says its place with ``CabinetPanel.order``).
    cabinet_panel: str | None = None
    # URL path prefixes whose binary request bodies are a machine's raw payload, read by the
    # module's own decoder (which dead-letters what it cannot read, NUL bytes included), so
    # the core's NUL filter leaves them alone (paths, queries and text bodies still checked).
    raw_body_paths: tuple[str, ...] = ()
    # Dotted path to ``callable(request) -> list[Banner]``: site-wide notices (every page).
    banners: str | None = None
    cabinet_panels: tuple[str, ...] = ()
    # Dotted paths to ``callable(request) -> DashboardPanel | None``: panels on the
    # situational centre's dashboard (and its leadership view), in module order.
    dashboard_panels: tuple[str, ...] = ()
    # Links of the cabinet's quick actions ("report a problem"), shown like ``menu``.
    quick_actions: tuple[MenuEntry, ...] = ()
    # The staff workspaces this module offers, per role.
    workspaces: tuple[Workspace, ...] = ()
    schedules: tuple[Periodic, ...] = ()
    # Dotted paths to ``callable(stop: threading.Event) -> None``: long-running loops (an
    # MQTT consumer, say) that ``misto serve`` and ``misto worker`` run beside the web server.
    runners: tuple[str, ...] = ()
    # Dotted path to ``callable() -> dict[code, obj]``: the departments this module knows,
    # each ``obj`` with ``name`` and ``name_en``, so a page of another module that holds a
    # department code (a device's owner, an incident's) shows its name instead.
    department_names: str | None = None
    # (kind, dotted path to ``callable() -> dict[code, obj]``): names of other codes this
    # module owns ("quantity", "report_status"), each ``obj`` with ``name`` (or ``name_uk``)
    # and ``name_en``, for another module's page: ``{{ code|code_name:"quantity" }}``.
    code_names: tuple[tuple[str, str], ...] = ()
    # Dotted path to ``callable(stdout) -> None`` that loads this module's part of the demo.
    demo: str | None = None
    # Modules whose demo data this one's demo needs first (labels).
    demo_after: tuple[str, ...] = ()
    # Dotted path to a sequence of :class:`OpenDataset`: the open datasets this module
    # produces from its own tables (the opendata module collects and publishes them).
    datasets: str | None = None
    # Dotted path to ``callable(organisation: str) -> Iterable[RegisteredApp]``: the active
    # API clients this module issued to a partner organisation (its city-directory code).
    registered_apps: str | None = None
    # Dotted path to a sequence of :class:`IndicatorFunction`: the indicators this module
    # computes from its own tables (the index module evaluates them for any period).
    indicators: str | None = None
    # The device models whose readings this module takes (a parking-place sensor, a tracker).
    reading_sinks: tuple[ReadingSink, ...] = ()
    # Device channels other than readings this module takes (a validator's taps).
    message_sinks: tuple[MessageSink, ...] = ()

    def ready(self) -> None:
        # Importing events.py (what the module publishes) and handlers.py (how it reacts to
        # other modules' events) registers the module's handlers with the event bus;
        # importing permissions.py declares the module's actions and their default grants.
        for part in ("permissions", "events", "handlers"):
            try:
                importlib.import_module(f"{self.name}.{part}")
            except ModuleNotFoundError as error:
                if error.name != f"{self.name}.{part}":
                    raise

    @property
    def key(self) -> str:
        return self.label

    def publishes(self) -> list[str]:
        return events_published_by(self.name)

    def consumes(self) -> list[str]:
        return events_consumed_by(self.name)

    def build_cabinet_panels(self, request: HttpRequest) -> list[CabinetPanel]:
        paths = ((self.cabinet_panel,) if self.cabinet_panel else ()) + self.cabinet_panels
        return _built(paths, request)

    def build_dashboard_panels(self, request: HttpRequest) -> list[DashboardPanel]:
        return _built(self.dashboard_panels, request)

    def build_banners(self, request: HttpRequest) -> list[Banner]:
        if not self.banners:
            return []
        builder: Callable[[HttpRequest], list[Banner]] = import_string(self.banners)
        return builder(request)


def _built(paths: Iterable[str], request: HttpRequest) -> list[Panel]:
    """The panels the builders at ``paths`` offer this request (``None``: nothing to show)."""
    panels = []
    for path in paths:
        builder: Callable[[HttpRequest], Panel | None] = import_string(path)
        panel = builder(request)
        if panel is not None:
            panels.append(panel)
    return panels


def indicator_functions() -> dict[str, tuple[str, IndicatorFunction]]:
    """Function name -> (declaring module label, declaration), for every installed module."""
    found: dict[str, tuple[str, IndicatorFunction]] = {}
    for config in modules():
        if config.indicators:
            declared: Iterable[IndicatorFunction] = import_string(config.indicators)
            for function in declared:
                if function.name in found:
                    raise ImproperlyConfigured(
                        f"indicator function {function.name} declared twice")
                found[function.name] = (config.label, function)
    return found


def modules() -> list[MistoModule]:
    """Installed Misto modules in INSTALLED_APPS order (core first)."""
    return [config for config in apps.get_app_configs() if isinstance(config, MistoModule)]


def module(label: str) -> MistoModule | None:
    for config in modules():
        if config.label == label:
            return config
    return None


def is_enabled(label: str) -> bool:
    """Whether the module ``label`` is switched on. A label that names no module at all is a
    mistake (a typo would silently skip a test or hide a page forever), so it raises."""
    if module(label) is not None:
        return True
    known = {app.rsplit(".", 1)[-1] for app in [*ALWAYS_ON, *available_optional_modules()]}
    if label not in known:
        raise LookupError(f"no module is called {label!r} (known: {', '.join(sorted(known))})")
    return False


def _shown_to(user: Any, entry: MenuEntry) -> bool:
    from misto.core.permissions import can

    if entry.audience == "public":
        return True
    if not user.is_authenticated:
        return False
    if entry.audience == "resident":
        return True
    return entry.permission is not None and can(user, entry.permission)


def menu_for(user: Any) -> list[MenuEntry]:
    """The navigation a user sees: public entries, plus resident and staff ones by role."""
    return [entry for config in modules() for entry in config.menu if _shown_to(user, entry)]


@dataclass(frozen=True)
class Navigation:
    """The menu as a staff member meets it: their own work first, everything else behind
    one "More" disclosure (so the header stays one line on a desk and short on a phone)."""

    main: list[MenuEntry]
    more: list[MenuEntry]


def navigation_for(user: Any) -> Navigation:
    """:func:`menu_for`, split so that the header holds one line: for staff, the entries of
    the user's roles (declared with ``MenuEntry.roles``, or a role's :class:`Workspace`)
    come first, the landing page at the head; for residents and visitors (and an account
    with no role of its own), their everyday pages and the cabinet. The other entries they
    may open go under "More"."""
    from misto.core.permissions import roles_of

    entries = menu_for(user)
    roles = set(roles_of(user)) if getattr(user, "is_authenticated", False) else set()
    if not roles:
        everyday = [entry for entry in entries if entry.everyday or entry.audience == "resident"]
        rest = [entry for entry in entries if entry not in everyday]
        return Navigation(everyday, rest) if everyday else Navigation(entries, [])
    landings = sorted((workspace for config in modules() for workspace in config.workspaces
                       if workspace.role in roles), key=lambda workspace: workspace.priority)
    landing_urls = [workspace.url_name for workspace in landings]

    def own(entry: MenuEntry) -> bool:
        # A landing may be a public page (the moderator's reports map).
        return entry.url_name in landing_urls or (entry.audience == "staff"
                                                  and bool(roles & set(entry.roles)))

    def rank(entry: MenuEntry) -> tuple[int, bool]:
        # Each landing page, then the other pages of its module, then the rest.
        namespace = entry.url_name.split(":", 1)[0]
        places = [index for index, url in enumerate(landing_urls)
                  if url.split(":", 1)[0] == namespace]
        return (places[0] if places else len(landing_urls), entry.url_name not in landing_urls)

    main = sorted((entry for entry in entries if own(entry)), key=rank)  # stable: module order
    more = [entry for entry in entries if not own(entry)]
    return Navigation(main, more) if main else Navigation(entries, [])


def quick_actions_for(user: Any) -> list[MenuEntry]:
    """The cabinet's quick actions a user may take, from every installed module."""
    return [entry for config in modules() for entry in config.quick_actions
            if _shown_to(user, entry)]


def workspace_for(user: Any) -> str | None:
    """The URL of the signed-in staff member's workspace, or None (not staff, or no module
    offers one for their roles). Modules declare workspaces; the core knows none itself."""
    from django.urls import reverse

    from misto.core.permissions import roles_of

    roles = set(roles_of(user))
    offered = sorted((workspace for config in modules() for workspace in config.workspaces
                      if workspace.role in roles), key=lambda workspace: workspace.priority)
    return reverse(offered[0].url_name) if offered else None


def departments() -> dict[str, Any]:
    """Department code -> an object with ``name`` / ``name_en``, from every module that
    declares :attr:`MistoModule.department_names` (the first one naming a code wins)."""
    return names_of("department")


def names_of(kind: str) -> dict[str, Any]:
    """Code -> an object with ``name`` / ``name_en`` for the codes of ``kind`` ("quantity",
    "report_status"; "department" from :attr:`MistoModule.department_names` too), from every
    module that names them (the first one naming a code wins)."""
    known: dict[str, Any] = {}
    for config in modules():
        paths = [path for named, path in config.code_names if named == kind]
        if kind == "department" and config.department_names:
            paths.insert(0, config.department_names)
        for path in paths:
            provider: Callable[[], dict[str, Any]] = import_string(path)
            for code, named in provider().items():
                known.setdefault(code, named)
    return known


def registered_apps(organisation: str) -> list[RegisteredApp]:
    """The applications ``organisation`` connected to any installed module's API."""
    found: list[RegisteredApp] = []
    for config in modules():
        if config.registered_apps:
            provider: Callable[[str], Iterable[RegisteredApp]] = import_string(
                config.registered_apps)
            found.extend(provider(organisation))
    return sorted(set(found), key=lambda app: (app.name.casefold(), app.interface))


def banners_for(request: HttpRequest) -> list[Banner]:
    """Every installed module's site-wide banners, in module order."""
    return [banner for config in modules() for banner in config.build_banners(request)]


def dashboard_panels_for(request: HttpRequest) -> list[DashboardPanel]:
    """Every installed module's panels for the situational centre's dashboard, in module
    order, each with a key (its section's anchor on the page)."""
    panels = [panel for config in modules() for panel in config.build_dashboard_panels(request)]
    return [panel if panel.key else replace(panel, key=f"dashboard-panel-{number}")
            for number, panel in enumerate(panels, 1)]


def demo_order() -> list[MistoModule]:
    """Modules with a demo loader, each after the modules it names in ``demo_after``."""
    pending = [config for config in modules() if config.demo]
    done: list[MistoModule] = []
    labels_done: set[str] = set()
    with_demo = {config.label for config in pending}
    while pending:
        progressed = False
        for config in list(pending):
            needed = {label for label in config.demo_after if label in with_demo}
            if needed <= labels_done:
                done.append(config)
                labels_done.add(config.label)
                pending.remove(config)
                progressed = True
        if not progressed:
            cycle = ", ".join(config.label for config in pending)
            raise RuntimeError(f"demo_after forms a cycle between: {cycle}")
    return done


@functools.cache
def raw_body_paths() -> tuple[str, ...]:
    """Every installed module's :attr:`MistoModule.raw_body_paths` (fixed once the apps
    are loaded; the NUL filter asks on every request)."""
    return tuple(prefix for config in modules() for prefix in config.raw_body_paths)
