"""ckanapi over real HTTP (no adapter): the named city's twin layers published, then listed,
searched and read through a live server, as a harvester would."""

from __future__ import annotations

from typing import Any

import pytest
from ckanapi import NotFound, RemoteCKAN

from misto.opendata import services
from misto.opendata.models import Resource
from misto.testing import world


@pytest.mark.django_db(transaction=True)
def test_ckanapi_over_http(live_server: Any) -> None:
    world.build_city()
    assert services.regenerate(["districts", "shelters"]) == {
        "districts": "version 1", "shelters": "version 1"}
    portal = RemoteCKAN(live_server.url, user_agent="misto-tests")
    assert set(portal.action.package_list()) == {"districts", "shelters"}
    found = portal.action.package_search(q="укриття")
    assert found["count"] == 1 and found["results"][0]["organization"]["name"] == \
        "civil-protection"
    resource_id = str(Resource.objects.get(dataset__name="districts", format="CSV").pk)
    rows = portal.action.datastore_search(resource_id=resource_id, sort="katottg asc")
    assert [row["katottg"] for row in rows["records"]] == [world.WEST_DISTRICT,
                                                           world.EAST_DISTRICT]
    with pytest.raises(NotFound):
        portal.action.package_show(id="no-such")
    get_only = RemoteCKAN(live_server.url, get_only=True)
    assert get_only.action.package_show(id="districts")["num_resources"] == 3
