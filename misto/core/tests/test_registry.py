"""Modules come and go with MISTO_MODULES: menu, URLs, API and cabinet panel follow."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from misto.conftest import ROOT, child_database_url
from misto.core.events import all_handlers, handler_by_id
from misto.core.modules import ALWAYS_ON, available_optional_modules, installed_module_apps
from misto.core.registry import demo_order, is_enabled, menu_for, module, modules
from misto.testing import make_staff

SAMPLE = "misto.core.tests.sample_module"

# Runs in a fresh interpreter so that INSTALLED_APPS is built from the given environment.
PROBE = """
import json
import django
django.setup()
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from misto.core.registry import menu_for, modules
from misto.residents.services import cabinet_panels

client = Client()
request = RequestFactory().get("/")
request.user = AnonymousUser()
schema = client.get("/api/openapi.json").json()
print(json.dumps({
    "modules": [m.label for m in modules()],
    "menu": [e.url_name for e in menu_for(AnonymousUser())],
    "home": client.get("/").status_code,
    "sample_page": client.get("/sample/").status_code,
    "api_paths": sorted(schema["paths"]),
    "panels": [str(p.title) for p in cabinet_panels(request)],
}))
"""


def probe(modules_setting: str) -> dict:
    """The site as configured by ``modules_setting``, on the (migrated) test database: pages
    may read their module's tables (the emergency banner on every page does)."""
    env = {"MISTO_MODULES": modules_setting, "DJANGO_SETTINGS_MODULE": "misto.settings",
           "PATH": "/usr/bin:/bin", "DATABASE_URL": child_database_url()}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.django_db
def test_switching_a_module_off_removes_every_trace() -> None:
    on = probe(f"all,{SAMPLE}")
    off = probe("all")

    assert "sample_module" in on["modules"] and "sample_module" not in off["modules"]
    assert "sample_module:index" in on["menu"] and "sample_module:index" not in off["menu"]
    assert on["sample_page"] == 200 and off["sample_page"] == 404
    assert "/api/sample/things" in on["api_paths"]
    assert not any(path.startswith("/api/sample/") for path in off["api_paths"])
    assert "Sample panel" in on["panels"] and "Sample panel" not in off["panels"]
    assert on["home"] == off["home"] == 200


@pytest.mark.django_db
@pytest.mark.engine_split
@pytest.mark.parametrize("optional", available_optional_modules())
def test_each_shipped_module_switches_off_cleanly(optional: str) -> None:
    label = optional.rsplit(".", 1)[-1]
    others = [m.removeprefix("misto.") for m in available_optional_modules() if m != optional]
    off = probe(",".join(others))
    assert label not in off["modules"]
    assert off["home"] == 200
    assert not any(path.startswith(f"/api/{label}/") for path in off["api_paths"])


@pytest.mark.django_db
def test_always_on_modules_cannot_be_switched_off() -> None:
    assert installed_module_apps(["residents", "twin"]) == []
    off = probe("")
    assert set(off["modules"]) == {app.rsplit(".", 1)[-1] for app in ALWAYS_ON}


def test_unknown_module_name_fails_loudly() -> None:
    with pytest.raises(ValueError, match="unknown module 'nosuch'"):
        installed_module_apps(["nosuch"])


def test_registry_lists_events_published_and_consumed() -> None:
    sample = module("sample_module")
    assert sample is not None
    assert "sample_module.SampleHappened" in sample.publishes()
    assert "sample_module.SampleHappened" in sample.consumes()
    assert next(m.label for m in modules()) == "core"


# The handler ids that deliveries carried while the handlers lived in events.py. A deployment
# upgraded with such deliveries pending (or dead, to be replayed) must still find them all.
HANDLER_IDS_FROM_EVENTS_PY = [
    "notifications.reading_out_of_range", "notifications.report_status_changed",
    "reports.resolve_linked_reports", "sample_module.echo", "situation.on_container_full",
    "situation.on_device_offline", "situation.on_device_registry_changed",
    "situation.on_outage_announced", "situation.on_reading_out_of_range",
    "situation.on_report_created", "situation.on_report_status_changed",
    # (the old table also named events of modules that did not exist, petitions.PetitionSigned,
    # budget.VoteCast...: nothing ever published them, so no delivery can be waiting for them)
    *(f"ledger.ledger_event[{name}]" for name in (
        "residents.RegisterChanged", "twin.FeatureChanged", "reports.ReportStatusChanged",
        "iot.DeviceRegistryChanged")),
]


def test_handlers_live_in_handlers_py_under_their_old_ids() -> None:
    for handler_id in HANDLER_IDS_FROM_EVENTS_PY:
        handler = handler_by_id(handler_id)
        assert handler is not None, handler_id
        assert handler.func.__module__ == f"{handler.app}.handlers", handler_id


def test_no_handler_is_registered_from_an_events_file() -> None:
    """events.py is a module's published contract; its reactions belong in handlers.py."""
    in_events = [handler.id for handler in all_handlers()
                 if handler.func.__module__.endswith(".events")]
    assert in_events == []


@pytest.mark.django_db
def test_menu_entries_by_audience(django_user_model) -> None:
    from django.contrib.auth.models import AnonymousUser

    staff = make_staff("admin", "it_admin")
    resident = django_user_model(username="resident")
    anonymous = [e.url_name for e in menu_for(AnonymousUser())]
    assert "core:dead-letters" not in anonymous
    assert "residents:cabinet" not in anonymous
    assert "residents:cabinet" in [e.url_name for e in menu_for(resident)]
    assert "core:dead-letters" in [e.url_name for e in menu_for(staff)]


def test_demo_order_respects_dependencies() -> None:
    order = [m.label for m in demo_order()]
    for config in demo_order():
        for before in config.demo_after:
            if before in order:
                assert order.index(before) < order.index(config.label)


def test_staff_entry_with_a_permission_follows_can(django_user_model, monkeypatch) -> None:
    from misto.core.registry import MenuEntry

    entry = MenuEntry("Queue", "core:dead-letters", "staff", permission="core.event.view")
    sample = module("sample_module")
    monkeypatch.setattr(type(sample), "menu", (entry,))
    operator = django_user_model(username="operator", is_staff=False)
    monkeypatch.setattr("misto.core.permissions.can",
                        lambda user, action, obj=None: action == "core.event.view")
    assert entry in menu_for(operator)
    monkeypatch.setattr("misto.core.permissions.can", lambda user, action, obj=None: False)
    assert entry not in menu_for(django_user_model(username="clerk2", is_staff=True))


def test_is_enabled_refuses_a_name_that_is_no_module() -> None:
    """``skipif(not is_enabled("reprts"))`` would skip its test forever; it raises instead."""
    assert is_enabled("reports") in (True, False)
    assert is_enabled("twin") is True
    with pytest.raises(LookupError, match="no module is called 'reprts'"):
        is_enabled("reprts")


@pytest.mark.django_db
def test_staff_navigation_puts_the_roles_own_work_first() -> None:
    from misto.core.registry import navigation_for

    def split(user) -> tuple[list[str], list[str]]:
        navigation = navigation_for(user)
        return ([e.url_name for e in navigation.main], [e.url_name for e in navigation.more])

    auditor_main, auditor_more = split(make_staff("auditor", "auditor"))
    assert auditor_main[0] == "residents:staff-audit"  # the landing page leads
    assert "core:dead-letters" in auditor_main
    assert "notifications:compose" not in auditor_main + auditor_more
    clerk_main, clerk_more = split(make_staff("clerk", "clerk", department="light"))
    assert clerk_main[0] == "reports:queue"
    assert "iot:devices" not in clerk_main + clerk_more
    assert "twin:map" in clerk_more and "twin:map" not in clerk_main
    # A landing page may be public (a moderator's reports map).
    moderator_main = split(make_staff("moderator", "moderator"))[0]
    assert moderator_main[0] == "reports:map" and "petitions:moderation" in moderator_main


@pytest.mark.django_db
def test_residents_and_visitors_see_their_everyday_pages_first(django_user_model) -> None:
    from django.contrib.auth.models import AnonymousUser

    from misto.core.registry import navigation_for

    everyday = ["twin:shelters", "reports:submit", "notifications:index", "transit:index"]
    for user, first in ((AnonymousUser(), []),
                        (django_user_model.objects.create_user("resident"),
                         ["residents:cabinet"])):
        navigation = navigation_for(user)
        main = [entry.url_name for entry in navigation.main]
        assert main[:len(first)] == first and set(main[len(first):]) == set(everyday)
        assert "petitions:index" in [entry.url_name for entry in navigation.more]
        # Nothing lost, nothing twice.
        assert sorted(navigation.main + navigation.more, key=id) == sorted(menu_for(user), key=id)
