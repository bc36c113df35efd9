import hashlib
import json
from datetime import date

import pytest
from django.apps import apps
from django.db import connection
from django.test import override_settings

from misto.core.models import OutboxEvent
from misto.residents import crypto, services
from misto.residents.management.commands.residents import rotate_keys
from misto.residents.models import CorrectionRequest, Person, PersonBenefit, PersonChange
from misto.residents.tests.conftest import person_data

pytestmark = pytest.mark.django_db


# The twin is the city's public map: street names and house numbers are its content, not
# anyone's personal data, so a street name found there is no leak.
PUBLIC_GEOGRAPHY = {"twin"}


def platform_tables() -> tuple[str, ...]:
    """The table prefixes of every Misto module installed (but the public map), and
    Django's user table."""
    labels = [config.label for config in apps.get_app_configs()
              if config.name.startswith("misto.") and config.label not in PUBLIC_GEOGRAPHY]
    return (*(f"{label}_" for label in labels), "auth_user")


def raw_text_of_tables(prefixes: tuple[str, ...] | None = None) -> str:
    """Every value of every row of every Misto table (or those ``prefixes`` name), read
    with plain SQL: what a stolen database or backup would show."""
    chunks: list[str] = []
    tables = [name for name in connection.introspection.table_names()
              if name.startswith(prefixes or platform_tables())]
    assert any(name == "residents_person" for name in tables)
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                chunks.extend(str(value) for value in row if value is not None)
    return "\n".join(chunks)


def test_raw_tables_hold_no_personal_field_in_plain_text(make_person, make_user):
    user = make_user()
    person = make_person(1, user=user, document="паспорт НК 123456")
    PersonBenefit.objects.create(person=person, category_id=services_category().pk,
                                 valid_from=date(2024, 1, 1), document="посвідчення ААА 777")
    services.change_person(person, {"phone": "+380671112233", "declared_address":
                                    "вул. Лесі Українки, 5"}, by=user, basis="заява 12")
    CorrectionRequest.objects.create(person=person, field="last_name",
                                     new_value="Виправленко", comment="шлюб")
    person.refresh_from_db()
    notification_contacts = ["+380931234567", "@olena_tg", "viber-id-4242", "Соборна 17"]
    notify_contacts(user, *notification_contacts)
    secrets = [person.last_name, person.first_name, person.patronymic, person.birth_date,
               person.rnokpp, person.phone, person.email, person.address, person.document,
               person.declared_address, "Виправленко", "посвідчення ААА 777", "НК 123456",
               "0501234567", "+380501234567", "1985-04-12", "12.04.1985", "Шевченка"]
    secrets.extend(notification_contacts)
    raw = raw_text_of_tables()
    for secret in secrets:
        assert secret and secret not in raw, f"{secret!r} is stored in plain text"
    # and what is stored decrypts back: the encrypted columns are Fernet tokens
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_name, rnokpp, rnokpp_index FROM residents_person")
        last_name, number, index = cursor.fetchone()
    assert last_name.startswith(crypto.TOKEN_PREFIX) and number.startswith(crypto.TOKEN_PREFIX)
    assert crypto.decrypt(number) == person.rnokpp
    assert index == crypto.blind_index("rnokpp", person.rnokpp)


def notify_contacts(user, phone, telegram, viber, home):
    from misto.notifications.models import ChannelAddress, Profile

    Profile.objects.create(user=user, home_label=home)
    for channel, address in (("sms", phone), ("telegram", telegram), ("viber", viber)):
        ChannelAddress.objects.create(user=user, channel=channel, address=address)
    assert ChannelAddress.objects.get(user=user, channel="sms").address == phone


def services_category():
    from misto.residents.demo import ensure_benefit_categories
    from misto.residents.models import BenefitCategory

    ensure_benefit_categories()
    return BenefitCategory.objects.get(code="idp")


def test_lookup_by_rnokpp_goes_through_the_blind_index(make_person):
    person = make_person(5)
    assert services.find_by_rnokpp(person.rnokpp) == person
    assert services.find_by_rnokpp(f" {person.rnokpp[:4]}-{person.rnokpp[4:]} ") == person
    assert services.find_by_rnokpp(person.rnokpp[:9] + "0" if person.rnokpp[9] != "0"
                                   else person.rnokpp[:9] + "1") is None


def test_history_keeps_who_when_and_basis_and_events_go_out(make_person, make_user):
    clerk = make_user()
    person = make_person(2)
    services.change_person(person, {"email": "new@example.org"}, by=clerk,
                           basis="заява від 01.02.2025")
    changes = list(PersonChange.objects.filter(person=person).order_by("version"))
    assert [(c.version, c.action) for c in changes] == [(1, "created"), (2, "changed")]
    assert changes[1].by == clerk and changes[1].fields == ["email"]
    assert changes[1].basis == "заява від 01.02.2025"
    assert "new@example.org" in changes[1].snapshot
    events = OutboxEvent.objects.filter(name="residents.RegisterChanged").order_by("pk")
    payloads = [event.payload for event in events]
    assert [p["version"] for p in payloads] == [1, 2]
    assert payloads[0]["person_ref"] == services.person_ref(person)
    assert all(str(person.uuid) not in str(p) and person.rnokpp not in str(p) for p in payloads)


def test_the_published_change_is_a_salted_commitment_the_stored_record_opens(make_person):
    """The ledger copies ``change``: it must not be a hash anyone can recompute from a
    person's known data (issue 13), yet the register's own record must open it."""
    person = make_person(4)
    change = PersonChange.objects.get(person=person, version=1)
    event = OutboxEvent.objects.get(name="residents.RegisterChanged")
    assert event.payload["change"] == hashlib.sha256(change.snapshot.encode()).hexdigest()
    record = json.loads(change.snapshot)
    assert len(bytes.fromhex(record.pop("salt"))) == 32
    unsalted = json.dumps(record, sort_keys=True, ensure_ascii=False)
    assert event.payload["change"] != hashlib.sha256(unsalted.encode()).hexdigest()


def test_a_change_needs_a_basis_and_valid_data(make_person):
    person = make_person(3)
    with pytest.raises(services.ResidentsError) as error:
        services.change_person(person, {"email": "x@example.org"}, by=None, basis=" ")
    assert error.value.code == "basis_required"
    with pytest.raises(services.ResidentsError) as error:
        services.change_person(person, {"email": "not-an-email", "phone": "12"}, by=None,
                               basis="b")
    assert set(error.value.errors) == {"email", "phone"}
    person.refresh_from_db()
    assert person.version == 1 and person.email == "olena3@example.org"


def test_duplicates_and_unknown_addresses_are_refused(make_person, english):
    make_person(4)
    with pytest.raises(services.ResidentsError) as error:
        services.create_person(person_data(4), by=None, basis="b")
    assert error.value.errors == {"rnokpp": "already in the register"}
    with pytest.raises(services.ResidentsError) as error:
        services.create_person(person_data(9, address="вул. Неіснуюча, 99"), by=None,
                               basis="b")
    assert "address" in error.value.errors
    assert Person.objects.count() == 1


def test_registered_address_is_a_twin_point_with_its_district(make_person, city):
    west = make_person(6, address="Шевченка 1")
    east = make_person(7, address="вулиця Шевченка, 12")
    assert west.district == city.west and east.district == city.east
    assert west.address_point_id and west.address_point_id != east.address_point_id


def test_key_rotation_re_encrypts_with_the_new_key(make_person, make_user, settings):
    from misto.notifications.models import ChannelAddress

    person = make_person(8)
    phone = ChannelAddress.objects.create(user=make_user(), channel="sms", address="+3809911")
    old_keys = list(settings.MISTO_FIELD_KEYS)
    new_key = crypto.Fernet.generate_key().decode()
    with override_settings(MISTO_FIELD_KEYS=[new_key, *old_keys]):
        assert rotate_keys() > 0
        with connection.cursor() as cursor:
            cursor.execute("SELECT rnokpp FROM residents_person")
            token = cursor.fetchone()[0]
        assert crypto.Fernet(new_key.encode()).decrypt(token.encode()).decode() == person.rnokpp
    with override_settings(MISTO_FIELD_KEYS=[new_key]):  # the old key can now be dropped
        assert Person.objects.get(pk=person.pk).rnokpp == person.rnokpp
        assert ChannelAddress.objects.get(pk=phone.pk).address == "+3809911"  # other modules'


def test_benefits_and_household_keep_history(make_person, make_user):
    from misto.residents.demo import ensure_benefit_categories

    ensure_benefit_categories()
    clerk = make_user("clerk")
    parent = make_person(10)
    child = make_person(11, born=date(2015, 6, 1))
    services.add_benefit(parent, category="large_family", valid_from=date(2024, 1, 1),
                         valid_until=date(2030, 1, 1), document="посвідчення БС 1",
                         by=clerk, basis="заява 5")
    services.link_household(parent, child, relation="child", by=clerk, basis="свідоцтво")
    services.link_household(parent, child, relation="child", by=clerk, basis="again")  # no-op
    parent.refresh_from_db()
    child.refresh_from_db()
    assert (parent.version, child.version) == (3, 2)
    actions = list(PersonChange.objects.filter(person=parent).values_list("action", flat=True)
                   .order_by("version"))
    assert actions == ["created", "benefit_added", "household_linked"]
    last = PersonChange.objects.get(person=parent, version=3)
    assert str(child.uuid) in last.snapshot and "large_family" in last.snapshot
    assert [b.category.code for b in services.active_benefits(parent, date(2025, 1, 1))] == [
        "large_family"]
    assert services.active_benefits(parent, date(2031, 1, 1)) == []
    export = services.export_data(parent)
    assert export["household"] == [{"relation": "child", "member": child.full_name}]
    with pytest.raises(services.ResidentsError) as error:
        services.add_benefit(parent, category="nope", valid_from=date(2024, 1, 2),
                             valid_until=date(2020, 1, 1), document="", by=clerk, basis="")
    assert set(error.value.errors) == {"category", "valid_until", "document", "basis"}
    with pytest.raises(services.ResidentsError):
        services.link_household(parent, parent, relation="child", by=clerk, basis="b")
