import json

import pytest
from django.urls import reverse

from misto.residents import services
from misto.residents.models import AccessLogEntry, CorrectionRequest, PersonChange
from misto.residents.tests.conftest import EAST, WEST

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(make_person, make_user):
    user = make_user()
    person = make_person(1, user=user, address="Шевченка 1")
    return user, person


def test_staff_reads_are_logged_and_shown_in_the_cabinet(client, resident, make_user):
    user, person = resident
    clerk = make_user("clerk", "cnap", WEST)
    data = services.read_personal(person, actor=clerk, reason="заява про субсидію №17",
                                  fields=("phone", "email"))
    assert data == {"phone": "+380501234567", "email": "olena1@example.org"}
    entry = AccessLogEntry.objects.get()
    assert (entry.actor, entry.fields, entry.reason) == (clerk, ["phone", "email"],
                                                         "заява про субсидію №17")
    client.force_login(user)
    page = client.get(reverse("residents:cabinet"), HTTP_ACCEPT_LANGUAGE="uk")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Хто переглядав мої дані" in html
    assert "заява про субсидію №17" in html and clerk.username in html


def test_the_owner_reading_their_own_data_is_not_logged(resident):
    user, person = resident
    services.read_personal(person, actor=user, reason="")
    assert AccessLogEntry.objects.count() == 0


def test_staff_must_give_a_reason_and_be_in_scope(resident, make_user):
    _user, person = resident
    with pytest.raises(services.ResidentsError):
        services.read_personal(person, actor=make_user("clerk", "cnap", WEST), reason="")
    with pytest.raises(services.PermissionDenied):
        services.read_personal(person, actor=make_user("clerk", "cnap", EAST),
                               reason="curiosity")
    with pytest.raises(services.PermissionDenied):
        services.read_personal(person, actor=make_user("auditor"), reason="audit")
    assert AccessLogEntry.objects.count() == 0


def test_staff_page_of_another_district_does_not_open_the_person(client, resident, make_user):
    _user, person = resident
    client.force_login(make_user("clerk", "cnap", EAST))
    page = client.post(reverse("residents:staff-register"),
                       {"rnokpp": person.rnokpp, "reason": "перевірка"})
    assert page.status_code == 404
    assert person.last_name not in page.content.decode()
    client.force_login(make_user("clerk", "cnap", WEST))
    page = client.post(reverse("residents:staff-register"),
                       {"rnokpp": person.rnokpp, "reason": "перевірка"})
    assert page.status_code == 200 and person.last_name in page.content.decode()
    assert "Історія" in page.content.decode() and "created" in page.content.decode()
    assert AccessLogEntry.objects.filter(person=person).count() == 1


def test_api_lookup_needs_scope_and_reason(client, resident, make_user):
    _user, person = resident
    url = "/api/residents/people"
    client.force_login(make_user("clerk", "cnap", EAST))
    assert client.get(url, {"rnokpp": person.rnokpp, "reason": "x y z"}).status_code == 404
    client.force_login(make_user("operator"))
    response = client.get(url, {"rnokpp": person.rnokpp, "reason": ""})
    assert response.status_code == 400 and "reason_required" in response.json()["detail"]
    response = client.get(url, {"rnokpp": person.rnokpp, "reason": "дзвінок на 1580"})
    assert response.status_code == 200 and response.json()["last_name"] == person.last_name
    assert AccessLogEntry.objects.get().channel == "api"


def test_data_download_holds_everything(client, resident, make_user):
    user, person = resident
    services.read_personal(person, actor=make_user("operator"), reason="дзвінок")
    client.force_login(user)
    response = client.get(reverse("residents:export"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["person"]["rnokpp"] == person.rnokpp
    assert data["person"]["address"] == person.address
    assert [row["reason"] for row in data["access_log"]] == ["дзвінок"]
    assert data["history"][0]["action"] == "created"
    api = client.get("/api/residents/me/export").json()
    assert api["person"]["uuid"] == str(person.uuid)


def test_correction_request_approved_by_a_clerk(client, resident, make_user):
    user, person = resident
    client.force_login(user)
    response = client.post("/api/residents/me/corrections",
                           {"field": "last_name", "value": "Виправленко", "comment": "шлюб"},
                           content_type="application/json")
    assert response.status_code == 201
    request_id = response.json()["id"]
    with pytest.raises(services.PermissionDenied):
        services.decide_correction(request_id, approve=True, reason="ok",
                                   by=make_user("clerk", "cnap", EAST))
    clerk = make_user("clerk", "cnap", WEST)
    client.force_login(clerk)
    page = client.get(reverse("residents:staff-register"))
    assert "Виправленко" in page.content.decode()
    response = client.post(reverse("residents:staff-decide", args=[request_id]),
                           {"decision": "approve", "reason": "свідоцтво про шлюб"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.last_name == "Виправленко" and person.version == 2
    change = PersonChange.objects.get(person=person, version=2)
    assert change.action == "corrected" and change.by == clerk
    assert "свідоцтво про шлюб" in change.basis
    assert CorrectionRequest.objects.get().status == "approved"


def test_correction_rejected_needs_a_reason_and_changes_nothing(resident, make_user):
    user, person = resident
    row = services.request_correction(person, field="phone", value="0671112233", comment="",
                                      by=user)
    clerk = make_user("clerk", "cnap", WEST)
    with pytest.raises(services.ResidentsError):
        services.decide_correction(row.pk, approve=False, reason="", by=clerk)
    services.decide_correction(row.pk, approve=False, reason="номер не підтверджено",
                               by=clerk)
    person.refresh_from_db()
    assert person.phone == "+380501234567" and person.version == 1
    with pytest.raises(services.ResidentsError):  # decided once
        services.decide_correction(row.pk, approve=True, reason="", by=clerk)


def test_bad_correction_requests_get_4xx(client, resident):
    user, _person = resident
    client.force_login(user)
    for body in ({"field": "rnokpp", "value": "1"}, {"field": "email", "value": "nope"},
                 {"field": "last_name"}):
        response = client.post("/api/residents/me/corrections", body,
                               content_type="application/json")
        assert 400 <= response.status_code < 500, body
    assert CorrectionRequest.objects.count() == 0


def test_cabinet_in_ukrainian_lists_sessions_and_module_panels(client, resident):
    user, _person = resident
    client.force_login(user)
    page = client.get(reverse("residents:cabinet"))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="uk">' in html
    assert 'id="privacy"' in html and 'id="sessions"' in html
    assert "Олена" in html


def test_cabinet_needs_sign_in(client):
    response = client.get(reverse("residents:cabinet"))
    assert response.status_code == 302 and "/cabinet/signin/" in response["Location"]


def test_public_functions_for_other_modules(resident, make_user):
    from misto.residents import contact_for, person_summary

    user, _person = resident
    assert person_summary(user) == {"district": WEST, "verification": "clerk", "benefits": []}
    assert person_summary(make_user()) is None
    operator = make_user("operator")
    assert contact_for(user, actor=operator, reason="дзвінок щодо звернення 42") == {
        "phone": "+380501234567", "email": "olena1@example.org"}
    entry = AccessLogEntry.objects.get()
    assert entry.channel == "module" and entry.actor == operator
    with pytest.raises(services.PermissionDenied):
        contact_for(user, actor=make_user("moderator"), reason="цікаво")
    assert AccessLogEntry.objects.count() == 1


def test_api_me_for_the_resident_only(client, resident, make_user):
    user, person = resident
    assert client.get("/api/residents/me").status_code == 401
    client.force_login(make_user())
    assert client.get("/api/residents/me").status_code == 404
    client.force_login(user)
    data = client.get("/api/residents/me").json()
    assert data["rnokpp"] == person.rnokpp and data["district"] == WEST
    assert client.get("/api/residents/me/access-log").json() == []
    assert AccessLogEntry.objects.count() == 0


def test_a_clerk_adds_people_only_in_their_district(client, city, make_user):
    from misto.residents.models import Person
    from misto.residents.tests.conftest import person_data

    client.force_login(make_user("clerk", "cnap", WEST))
    form = {**person_data(30, address="Шевченка 12"), "action": "add", "basis": "заява"}
    response = client.post(reverse("residents:staff-register"), form)
    assert response.status_code == 403 and Person.objects.count() == 0  # east
    response = client.post(reverse("residents:staff-register"),
                           {**form, "address": "Шевченка 1", "rnokpp": "1234567890"})
    assert response.status_code == 400 and Person.objects.count() == 0
    response = client.post(reverse("residents:staff-register"), {**form, "address": "Шевченка 1"})
    assert response.status_code == 302
    person = Person.objects.get()
    assert (person.district, person.verification) == (WEST, "clerk")
    assert PersonChange.objects.get(person=person).basis == "заява"


def test_auditors_see_every_staff_read_without_personal_data(client, resident, make_user):
    _user, person = resident
    operator = make_user("operator")
    services.read_personal(person, actor=operator, reason="дзвінок 1580", fields=("phone",))
    client.force_login(make_user("auditor"))
    page = client.get(reverse("residents:staff-audit"))
    html = page.content.decode()
    assert page.status_code == 200 and "дзвінок 1580" in html and operator.username in html
    assert services.person_ref(person)[:16] in html
    for secret in (person.last_name, person.first_name, person.rnokpp, person.phone):
        assert secret not in html
    assert "дзвінок 1580" not in client.get(reverse("residents:staff-audit"),
                                            {"user": "someone-else"}).content.decode()
    client.force_login(make_user("clerk"))
    assert client.get(reverse("residents:staff-audit")).status_code == 403
