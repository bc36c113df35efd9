"""A staff look-up by RNOKPP never tells whether a number is in the register.

Staff who may not open a person's personal data get one answer whether the number exists
or not (otherwise the register is an oracle: "is 3021504123 a resident here?").
"""

import re
from datetime import date

import pytest
from django.test import Client

from misto.residents import rnokpp
from misto.residents.tests.conftest import EAST, WEST

pytestmark = pytest.mark.django_db

ABSENT = rnokpp.make(date(1985, 4, 12), 99, True)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_answer(client: Client, number: str) -> tuple[int, object]:
    response = client.get("/api/residents/people", {"rnokpp": number, "reason": "перевірка"})
    return response.status_code, response.json()


def page_answer(client: Client, number: str) -> tuple[int, str]:
    response = client.post("/cabinet/staff/register/", {"rnokpp": number, "reason": "перевірка"})
    text = response.content.decode().replace(number, "<number>")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)  # fresh per page
    return response.status_code, text[text.find("<main"):]


@pytest.mark.parametrize("role", ["moderator", "dispatcher", "auditor", "it_admin"])
def test_staff_without_personal_data_rights_get_one_answer(make_person, make_user, role):
    present = make_person(1).rnokpp
    client = signed_in(make_user(role))
    assert api_answer(client, present) == api_answer(client, ABSENT)
    assert api_answer(client, present)[0] == 403
    assert page_answer(client, present) == page_answer(client, ABSENT)
    assert page_answer(client, present)[0] == 403


def test_personal_rights_elsewhere_do_not_reveal_a_person_out_of_scope(make_person,
                                                                        make_user):
    """A clerk of the west district who also moderates the whole city, on an eastern person."""
    from misto.core.models import StaffAssignment

    east_person = make_person(2, address="Шевченка 12")
    assert east_person.district == EAST
    user = make_user("clerk", department="cnap", district=WEST)
    StaffAssignment.objects.create(user=user, role="moderator")
    client = signed_in(user)
    assert api_answer(client, east_person.rnokpp) == api_answer(client, ABSENT)
    assert api_answer(client, ABSENT)[0] == 404
    assert page_answer(client, east_person.rnokpp) == page_answer(client, ABSENT)
    assert page_answer(client, ABSENT)[0] == 404


def test_a_clerk_in_scope_still_finds_the_person(make_person, make_user):
    person = make_person(3)
    client = signed_in(make_user("clerk", department="cnap", district=WEST))
    status, body = api_answer(client, person.rnokpp)
    assert status == 200 and body["rnokpp"] == person.rnokpp
    status, page = page_answer(client, person.rnokpp)
    assert status == 200 and person.last_name in page
