"""With the reports module installed: a real citizen's report becomes a source of an
incident, and resolving the incident resolves the report, whose status change is what
notifications turn into the reporter's notice (docs/events.md)."""

from __future__ import annotations

import pytest

from misto.core.models import OutboxEvent
from misto.core.outbox import deliver_due
from misto.core.registry import is_enabled
from misto.situation import services
from misto.situation.models import Incident, Status
from misto.situation.tests.conftest import ON_SHEVCHENKA, ON_SHEVCHENKA_60M, reading_payload

pytestmark = pytest.mark.django_db


def deliver_everything() -> None:
    for _ in range(10):
        if not deliver_due():
            return


@pytest.mark.skipif(not is_enabled("reports"), reason="the reports module is switched off")
def test_resolving_the_incident_resolves_the_citizens_report(city, people):
    from misto.reports import services as reports
    from misto.reports.demo import load_tree

    load_tree()
    services.ingest_reading(reading_payload("pressure-1", *ON_SHEVCHENKA))
    report = reports.submit(reports.Submission(
        category="water-leak", description="З-під асфальту б'є вода.",
        lon=ON_SHEVCHENKA_60M[0], lat=ON_SHEVCHENKA_60M[1], attributes={"flooding": "no"},
        author=people.resident))
    deliver_everything()
    incident = Incident.objects.get()
    assert {"module": "reports", "id": str(report.pk)} in incident.sources
    assert len(incident.sources) == 2

    services.assign(incident.pk, people.dispatcher, crew_id=people.crew.pk)
    services.change_status(incident.pk, people.crew_member, Status.RESOLVED,
                           note="Засувку замінено")
    deliver_everything()
    report.refresh_from_db()
    assert report.status == "resolved"
    told = [e.payload for e in OutboxEvent.objects.filter(name="reports.ReportStatusChanged")]
    assert any(p["status"] == "resolved" and p["author_user_id"] == people.resident.pk
               for p in told)
    # The report's own resolution comes back to the situation centre as history only.
    incident.refresh_from_db()
    assert incident.status == Status.RESOLVED
    assert incident.updates.filter(data__report_status="resolved").exists()
