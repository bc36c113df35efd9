import io

import pytest
from django.contrib.auth import get_user_model

from misto.core.models import StaffAssignment
from misto.core.permissions import can
from misto.residents import demo
from misto.residents.models import BenefitCategory, Person

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_gives_one_staff_account_per_role(city):
    out = io.StringIO()
    demo.load(out)
    demo.load(io.StringIO())
    assert Person.objects.count() == len(demo.PEOPLE)
    assert BenefitCategory.objects.count() == len(demo.BENEFITS)
    users = get_user_model().objects.filter(username__startswith="demo-")
    assert users.count() == StaffAssignment.objects.count() == 6
    assert "misto-demo" in out.getvalue() and demo.demo_rnokpp(0) in out.getvalue()
    clerk = users.get(username="demo-clerk")
    assert clerk.check_password(demo.DEMO_PASSWORD)
    person = Person.objects.get(rnokpp_index__isnull=False, last_name__isnull=False,
                                pk=Person.objects.order_by("pk").first().pk)
    assert can(clerk, "residents.person.view", person) == bool(
        person.district == clerk.staff_assignments.get().district)
