"""The directory's test world: the named city, a ЦНАП office with a lunch break on
Shevchenka street, a clinic open on holidays, an e-service, and the light department's
clerk (who keeps nothing here) beside the cnap clerk (who keeps the ЦНАП)."""

from __future__ import annotations

from typing import Any

import pytest

from misto.directory import services
from misto.directory.models import EService, Organisation, OrgKind, Unit
from misto.testing import make_staff, world

BREAKS = "Mo-Fr 08:00-12:00,13:00-17:00"


@pytest.fixture
def city(db: Any) -> Any:
    return world.build_city()


@pytest.fixture
def cnap(city: Any) -> Unit:
    org = Organisation.objects.create(slug="cnap", kind=OrgKind.ASC, name_uk="ЦНАП",
                                      name_en="ASC", department="cnap")
    where = services.place(*world.ON_SHEVCHENKA)
    unit = Unit.objects.create(organisation=org, slug="cnap-main", name_uk="ЦНАП, центр",
                               name_en="ASC, main office", lon=where.lon, lat=where.lat,
                               address=where.address, landmark=where.landmark,
                               district=where.district, hours=BREAKS)
    services.set_contacts(unit, [("phone", "061 222 33 44", ""),
                                 ("email", "cnap@misto.example", "")])
    service = EService.objects.create(slug="certificate", title_uk="Довідка про місце "
                                      "проживання", title_en="Certificate of residence",
                                      keywords="довідка реєстрація прописка")
    unit.services.add(service)
    return unit


@pytest.fixture
def clinic(city: Any) -> Unit:
    org = Organisation.objects.create(slug="health", kind=OrgKind.CLINIC, name_uk="Амбулаторія",
                                      name_en="Clinic", department="health")
    lon, lat = world.ON_LESI
    return Unit.objects.create(organisation=org, slug="clinic-1", name_uk="Амбулаторія № 1",
                               name_en="Clinic No. 1", lon=lon, lat=lat,
                               hours="Mo-Su 08:00-20:00", closed_on_days_off=False)


@pytest.fixture
def cnap_clerk(db: Any) -> Any:
    return make_staff("cnap-clerk", "clerk", department="cnap")


@pytest.fixture
def light_clerk(db: Any) -> Any:
    return make_staff("light-clerk", "clerk", department="light")
