"""The demo OpenID provider: on by default outside production, refused in production."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from misto.residents import demo, demo_idp, identity
from misto.residents.models import VERIFICATION_RANK, ExternalIdentity, Person, Verification
from misto.testing.e2e import sign_in_as_demo_resident, start_demo_site


def test_listed_by_default_outside_production(settings) -> None:
    settings.PRODUCTION = False
    listed = identity.providers()
    assert listed["demo"].issuer == "http://127.0.0.1:8001"
    assert listed["demo"].client_id == demo_idp.CLIENT_ID


def test_never_listed_in_production(settings) -> None:
    settings.PRODUCTION = True
    assert "demo" not in identity.providers()


def test_check_deploy_refuses_the_demo_provider_in_production(settings) -> None:
    settings.PRODUCTION = True
    settings.MISTO_DEMO_IDP_URL = "http://127.0.0.1:8001"
    with pytest.raises(SystemCheckError, match=r"residents\.E001"):
        call_command("check", "--deploy", "--tag", "security", stdout=io.StringIO(),
                     stderr=io.StringIO())
    settings.MISTO_DEMO_IDP_URL = ""
    assert demo_idp.check_not_in_production() == []


def test_the_demo_command_refuses_to_start_it_in_production(settings) -> None:
    settings.PRODUCTION = True
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="off"):
        call_command("demo_idp", "start")


def test_demo_accounts_match_the_register(db) -> None:
    out = io.StringIO()
    demo.load(out)
    assert "/cabinet/signin/" in out.getvalue()
    config = demo_idp.provider_config()
    assert config is not None
    for account in demo_idp.accounts():
        result = identity.sign_in_with(config, {"sub": account["sub"], **account["claims"]})
        assert result.matched
        assert result.person is not None
        assert VERIFICATION_RANK[Verification(result.person.verification)] >= \
            VERIFICATION_RANK[Verification.PROVIDER]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_newcomer_signs_in_as_a_demo_resident_on_a_real_server(spawn_misto, page) -> None:
    demo.load(io.StringIO())
    site = start_demo_site(spawn_misto)

    page.goto(site.url + "/cabinet/")
    assert "/cabinet/signin/" in page.url
    first = demo_idp.accounts()[0]
    sign_in_as_demo_resident(page, site, first["label"])
    assert page.url == site.url + "/cabinet/"
    assert page.locator("h1").inner_text() == "Мій кабінет"
    assert first["claims"]["given_name"] in page.locator(".lead").inner_text()

    person = Person.objects.get(user__isnull=False)
    assert person.birth_date == first["claims"]["birthdate"]
    assert person.verification in {Verification.PROVIDER, Verification.CLERK}
    assert ExternalIdentity.objects.filter(user=person.user, provider="demo").exists()
