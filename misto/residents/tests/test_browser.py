"""A resident signs in through the local OpenID provider and sees the cabinet in Ukrainian."""

import pytest
from django.test import override_settings

from misto.core.tests.browser import axe_violations, screenshot
from misto.residents.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_signs_in_with_the_provider_and_sees_the_cabinet(
        live_server, page, oidc_provider, make_person, make_user):
    person = make_person(1, address="Шевченка 1")
    clerk = make_user("clerk", "cnap", person.district)
    from misto.residents.services import read_personal

    read_personal(person, actor=clerk, reason="перевірка пільги", fields=("phone",))
    providers = oidc_provider(live_server.url + "/cabinet/signin/local/callback")
    with override_settings(MISTO_OIDC_PROVIDERS=providers):
        page.goto(live_server.url + "/cabinet/")
        assert "/cabinet/signin/" in page.url
        page.get_by_role("link", name="Local ID").click()
        page.locator("input[name=login]").fill("olena")
        page.locator("input[name=password]").fill("any")
        page.locator("button[type=submit]").click()
        page.locator("button[type=submit]").click()  # the provider's consent page
        page.wait_for_url(live_server.url + "/cabinet/")
        assert page.locator("html").get_attribute("lang") == "uk"
        assert page.locator("h1").inner_text() == "Мій кабінет"
        assert "Олена" in page.locator(".lead").inner_text()
        assert page.locator("#privacy-h").inner_text() == "Приватність"
        assert page.locator("#profile-h").inner_text() == "Профіль"
        privacy = page.locator("#privacy").inner_text()
        assert "Хто переглядав мої дані" in privacy
        assert "перевірка пільги" in privacy and clerk.username in privacy
        assert axe_violations(page) == []
        screenshot(page, "residents-cabinet-uk")
    person.refresh_from_db()
    assert person.user is not None and person.verification == "clerk"  # never lowered
    assert Person.objects.filter(user=person.user).count() == 1


def test_clerk_signs_in_with_totp_and_opens_a_person(live_server, page, make_person, make_user):
    import pyotp

    from misto.residents.auth import enrol_totp
    from misto.residents.models import AccessLogEntry

    person = make_person(1, address="Шевченка 1")
    clerk = make_user("clerk", "cnap", person.district)
    secret = pyotp.parse_uri(enrol_totp(clerk)).secret
    page.goto(live_server.url + "/cabinet/staff/register/")
    assert "/cabinet/signin/" in page.url
    assert axe_violations(page) == []
    page.get_by_label("Ім’я користувача").fill(clerk.username)
    page.get_by_label("Пароль").fill("pw")
    page.get_by_label("Одноразовий код").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Увійти").click()
    page.wait_for_url("**/cabinet/staff/register/")
    page.get_by_label("РНОКПП").first.fill(person.rnokpp)
    page.get_by_label("Причина").first.fill("звернення громадянки")
    page.get_by_role("button", name="Відкрити").click()
    assert person.last_name in page.locator("main").inner_text()
    assert axe_violations(page) == []
    screenshot(page, "residents-staff-register-uk")
    entry = AccessLogEntry.objects.get()
    assert entry.actor == clerk and entry.reason == "звернення громадянки"


def test_resident_signs_in_by_an_e_mail_code_from_the_local_outbox(live_server, page, settings):
    """Issue 14: the basic level works on a fresh checkout, in Ukrainian, at phone size."""
    import re

    settings.EMAIL_BACKEND = "misto.residents.outbox.LocalOutboxEmailBackend"
    page.goto(live_server.url + "/cabinet/")
    assert "/cabinet/signin/" in page.url
    assert page.get_by_role("button", name="Скористатися ключем доступу").is_visible()
    assert axe_violations(page) == []
    screenshot(page, "residents-signin-uk")
    page.get_by_role("link", name="Вхід за кодом").click()
    assert page.locator("h1").inner_text() == "Вхід за кодом"
    assert axe_violations(page) == []
    page.get_by_label("Адреса електронної пошти або номер телефону").fill("olena@example.com")
    page.get_by_role("button", name="Надіслати код").click()
    page.wait_for_url("**/cabinet/signin/code/*/**")
    assert "електронною поштою" in page.locator("main").inner_text()
    screenshot(page, "residents-code-enter-uk")
    link = page.get_by_role("link", name=re.compile("Локальна скринька вихідних"))
    outbox = page.context.new_page()  # the resident keeps the code form open
    outbox.goto(live_server.url + link.get_attribute("href"))
    assert outbox.locator("h1").inner_text() == "Локальна скринька вихідних"
    letter = outbox.locator(".outbox-message").first.inner_text()
    assert "olena@example.com" in letter and "Ваш код для входу" in letter
    assert axe_violations(outbox) == []
    screenshot(outbox, "residents-dev-outbox-uk")
    code = re.search(r"\b(\d{6})\b", letter)
    assert code
    page.get_by_label("Код").fill(code.group(1))
    page.get_by_role("button", name="Увійти").click()
    page.wait_for_url(live_server.url + "/cabinet/")
    assert page.locator("h1").inner_text() == "Мій кабінет"
    assert axe_violations(page) == []
    screenshot(page, "residents-cabinet-basic-uk")
