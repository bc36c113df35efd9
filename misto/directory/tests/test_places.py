"""Finding places by need, the card, phones, moving on the twin, staff edits by department,
and corrections to the maintainer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from misto.core.models import OutboxEvent
from misto.directory import services
from misto.directory.errors import DirectoryCode, DirectoryError
from misto.directory.models import Correction, CorrectionStatus

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("raw", "stored"), [("061 222 33 44", "+380612223344"),
                                             ("+380 50 123 45 67", "+380501234567"),
                                             ("(067) 123-45-67", "+380671234567")])
def test_ukrainian_phones_are_stored_e164(raw: str, stored: str) -> None:
    assert services.check_phone(raw) == stored


@pytest.mark.parametrize("bad", ["12345", "+1 202 555 0100", "phone", "061 222 33 4"])
def test_a_phone_in_a_bad_format_is_refused(bad: str) -> None:
    with pytest.raises(DirectoryError) as refused:
        services.check_phone(bad)
    assert refused.value.code == DirectoryCode.BAD_PHONE


def test_a_bad_contact_refuses_all_and_changes_nothing(cnap: Any) -> None:
    before = list(cnap.contacts.values_list("value", flat=True))
    with pytest.raises(DirectoryError):
        services.set_contacts(cnap, [("phone", "061 222 33 55", ""), ("phone", "000", "")])
    assert list(cnap.contacts.values_list("value", flat=True)) == before


def test_a_unit_is_placed_by_the_twin(cnap: Any) -> None:
    assert cnap.address and cnap.district
    with pytest.raises(DirectoryError) as refused:
        services.move(cnap, 30.52, 50.45)  # Kyiv: outside the city
    assert refused.value.code == DirectoryCode.BAD_PLACE


def test_search_by_need_name_and_address(cnap: Any, clinic: Any) -> None:
    assert [u.slug for u, _s in services.search("довідку")] == ["cnap-main"]
    assert [u.slug for u, _s in services.search("прописка")] == ["cnap-main"]
    assert [u.slug for u, _s in services.search("Амбулаторія")] == ["clinic-1"]
    assert {u.slug for u, _s in services.search("")} == {"cnap-main", "clinic-1"}


def test_api_places_with_open_now(cnap: Any, clinic: Any) -> None:
    client = Client()
    rows = client.get("/api/directory/places", {"q": "довідка"}).json()
    assert rows[0]["slug"] == "cnap-main" and rows[0]["status"]["state"] in ("open", "closed")
    services.set_hours(cnap, "off")
    open_now = client.get("/api/directory/places", {"open_now": 1}).json()
    assert "cnap-main" not in [r["slug"] for r in open_now]


def test_api_place_card(cnap: Any) -> None:
    body = Client().get("/api/directory/places/cnap-main").json()
    assert body["opening_hours"] == "Mo-Fr 08:00-12:00,13:00-17:00"
    assert len(body["week"]) == 7
    assert {"kind": "phone", "value": "+380612223344", "label": "",
            "href": "tel:+380612223344"} in body["contacts"]
    assert Client().get("/api/directory/places/nowhere").status_code == 404


def _json(client: Client, method: str, url: str, data: Any) -> Any:
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


def test_staff_edit_is_scoped_by_department(cnap: Any, cnap_clerk: Any,
                                            light_clerk: Any) -> None:
    url = "/api/directory/places/cnap-main/hours"
    other = Client()
    other.force_login(light_clerk)
    assert _json(other, "put", url, {"opening_hours": "Mo-Fr 09:00-18:00"}).status_code == 403
    own = Client()
    own.force_login(cnap_clerk)
    answer = _json(own, "put", url, {"opening_hours": "Mo-Fr 09:00-18:00"})
    assert answer.status_code == 200 and answer.json()["opening_hours"] == "Mo-Fr 09:00-18:00"
    refused = _json(own, "put", url, {"opening_hours": "Mo-Fr 9 to 6"})
    assert refused.status_code == 400 and refused.json()["error"] == "bad_hours"
    cnap.refresh_from_db()
    assert cnap.hours == "Mo-Fr 09:00-18:00"
    phone = _json(own, "put", "/api/directory/places/cnap-main/contacts",
                  {"contacts": [{"kind": "phone", "value": "12"}]})
    assert phone.status_code == 400 and phone.json()["error"] == "bad_phone"


def test_a_closure_shows_on_the_card(cnap: Any, cnap_clerk: Any) -> None:
    own = Client()
    own.force_login(cnap_clerk)
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    answer = _json(own, "post", "/api/directory/places/cnap-main/closures",
                   {"start": today, "end": today, "reason_uk": "Санітарний день"})
    assert answer.status_code == 201
    body = answer.json()
    assert body["status"]["state"] == "closed"
    assert body["status"]["closed_today_reason"] == "Санітарний день"
    backwards = _json(own, "post", "/api/directory/places/cnap-main/closures",
                      {"start": today, "end": "2000-01-01", "reason_uk": "x"})
    assert backwards.status_code == 400


def test_a_correction_reaches_the_maintainer_only(cnap: Any, cnap_clerk: Any,
                                                  light_clerk: Any) -> None:
    sent = _json(Client(), "post", "/api/directory/places/cnap-main/corrections",
                 {"text": "Телефон не відповідає, новий номер 061 222 33 00"})
    assert sent.status_code == 201
    correction = Correction.objects.get()
    assert correction.department == "cnap" and correction.sent_by is None
    event = OutboxEvent.objects.filter(name="directory.CorrectionSent").get()
    assert "Телефон" not in json.dumps(event.payload)
    other = Client()
    other.force_login(light_clerk)
    assert other.get("/api/directory/corrections").json() == []
    own = Client()
    own.force_login(cnap_clerk)
    assert [c["id"] for c in own.get("/api/directory/corrections").json()] == [correction.pk]
    url = f"/api/directory/corrections/{correction.pk}/resolution"
    assert _json(other, "post", url, {"fixed": True}).status_code == 404
    assert _json(own, "post", url, {"fixed": True, "note": "виправлено"}).status_code == 200
    assert Correction.objects.get().status == CorrectionStatus.FIXED
    assert _json(own, "post", url, {"fixed": True}).status_code == 409


def test_pages_in_both_languages(cnap: Any, clinic: Any) -> None:
    client = Client()
    for language in ("uk", "en"):
        client.cookies["django_language"] = language
        assert client.get("/directory/", {"q": "довідка"}).status_code == 200
        page = client.get("/directory/cnap-main/").content.decode()
        assert "tel:+380612223344" in page and "mailto:cnap@misto.example" in page
        assert client.get("/directory/services/", {"q": "довідка"}).status_code == 200
        assert client.get("/directory/partners/").status_code == 200
    assert client.get("/directory/nowhere/").status_code == 404


def test_report_wrong_information_page(cnap: Any, cnap_clerk: Any) -> None:
    client = Client()
    answer = client.post("/directory/cnap-main/report/", {"text": "Інші години роботи"})
    assert answer.status_code == 303 and Correction.objects.count() == 1
    staff = Client()
    staff.force_login(cnap_clerk)
    assert "Інші години роботи" in staff.get("/directory/staff/corrections/").content.decode()
    assert staff.post("/directory/staff/places/cnap-main/",
                      {"step": "hours", "hours": "nonsense"}).status_code == 200
    cnap.refresh_from_db()
    assert cnap.hours == "Mo-Fr 08:00-12:00,13:00-17:00"


def test_the_admin_checks_like_a_clerk(cnap: Any) -> None:
    from django import forms

    from misto.directory.admin import ContactForm, UnitForm

    form = UnitForm()
    form.cleaned_data = {"hours": "Mo-Fx"}
    with pytest.raises(forms.ValidationError):
        form.clean_hours()
    contact = ContactForm(data={"kind": "phone", "value": "123", "label": ""})
    assert not contact.is_valid() and "value" in contact.errors
    good = ContactForm(data={"kind": "phone", "value": "061 222 33 44", "label": ""})
    assert good.is_valid() and good.cleaned_data["value"] == "+380612223344"


def test_the_admin_is_the_it_administrators(cnap: Any, cnap_clerk: Any) -> None:
    from misto.testing import make_staff

    admin = Client()
    admin.force_login(make_staff("dir-admin", "it_admin", is_staff=True))
    assert admin.get("/admin/directory/unit/").status_code == 200
    assert admin.get(f"/admin/directory/unit/{cnap.pk}/change/").status_code == 200
    clerk = Client()
    cnap_clerk.is_staff = True
    cnap_clerk.save()
    clerk.force_login(cnap_clerk)
    assert clerk.get("/admin/directory/unit/").status_code == 403
