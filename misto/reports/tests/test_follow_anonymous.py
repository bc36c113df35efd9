"""Issue 14, item 3: follow a report without an account, by an e-mail or phone confirmed by
a code; the updates arrive there (the local outbox outside production) with the report's
link, and a later code sign-in with the same address finds the report in the cabinet."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from misto.core import outbox as events
from misto.notifications import channels
from misto.reports import services
from misto.reports.models import Follower, Report
from misto.residents import codes, contact_address
from misto.residents.models import ExternalIdentity, LocalMessage, SignInCode

pytestmark = pytest.mark.django_db

ADDRESS = "olena@example.com"


@pytest.fixture(autouse=True)
def local_outbox(settings):
    """Mail and SMS to the local outbox, as on a fresh checkout (pytest swaps in locmem)."""
    settings.EMAIL_BACKEND = "misto.residents.outbox.LocalOutboxEmailBackend"
    settings.MISTO_NOTIFY_GATEWAY_SMS = None
    settings.PRODUCTION = False


def report_anonymously(client: Client, city: Any, contact: str) -> Any:
    return client.post(reverse("reports:submit"), {
        "category": "streetlight-out", "description": "Темно", "landmark": city.landmarks[0],
        "attr_how_many": "1", "updates_contact": contact})


def last_code(address: str) -> str:
    message = LocalMessage.objects.filter(address=address).latest("pk")
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found, message.body
    return found.group(1)


def clerk_changes_status(report: Report, clerk: Any, status: str, note: str = "") -> None:
    services.change_status(report.pk, clerk, status, note)
    events.deliver_due()  # the notifications module consumes ReportStatusChanged
    channels.deliver_due()  # and sends its deliveries


def updates_to(address: str) -> list[LocalMessage]:
    return [m for m in LocalMessage.objects.filter(address=address)
            if "code" not in m.subject.lower() and "код" not in m.subject.lower()]


def test_anonymous_reporter_confirms_an_email_and_receives_the_update(client, city, clerk):
    page = client.get(reverse("reports:submit")).content.decode()
    assert 'name="updates_contact"' in page
    response = report_anonymously(client, city, " Olena@Example.COM ")
    report = Report.objects.get()
    confirm = reverse("reports:follow-confirm",
                      args=[report.public_id, SignInCode.objects.get().token])
    assert response.status_code == 302 and response["Location"] == confirm
    assert report.author is None
    # The code row keeps the address only encrypted until the code is spent.
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM residents_signincode")
        (stored,) = cursor.fetchone()
    assert stored and ADDRESS not in stored
    form = client.get(confirm)
    assert form.status_code == 200 and "/cabinet/dev-outbox/" in form.content.decode()
    response = client.post(confirm, {"code": last_code(ADDRESS)})
    assert response.status_code == 302 and response["Location"] == services.report_url(report)
    follower = Follower.objects.get(report=report).user
    assert follower.email == "" and follower.first_name == ""  # nothing in clear
    assert contact_address(follower, "email") == ADDRESS
    assert SignInCode.objects.get().contact == ""

    clerk_changes_status(report, clerk, "accepted")
    (update,) = updates_to(ADDRESS)
    assert report.public_id in update.subject
    assert f"/reports/{report.public_id}/" in update.body
    # The link opens the report.
    link = re.search(r"https?://[^/\s]+(/reports/[^\s]+/)", update.body)
    assert link and Client().get(link.group(1)).status_code == 200


def test_wrong_code_refuses_and_follows_nothing(client, city, clerk):
    report_anonymously(client, city, ADDRESS)
    report = Report.objects.get()
    confirm = reverse("reports:follow-confirm",
                      args=[report.public_id, SignInCode.objects.get().token])
    right = last_code(ADDRESS)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    response = client.post(confirm, {"code": wrong})
    assert response.status_code == 400
    assert "does not match" in response.content.decode() or "не збігається" in \
        response.content.decode()
    assert not Follower.objects.exists() and not ExternalIdentity.objects.exists()
    clerk_changes_status(report, clerk, "accepted")
    assert updates_to(ADDRESS) == []


def test_no_update_without_confirmation(client, city, clerk):
    report_anonymously(client, city, ADDRESS)
    report = Report.objects.get()
    clerk_changes_status(report, clerk, "accepted")
    assert not Follower.objects.exists()
    assert [m.subject for m in LocalMessage.objects.all()] == [
        LocalMessage.objects.get().subject]  # the code, and nothing else
    assert updates_to(ADDRESS) == []


def test_the_confirmation_form_is_bound_to_its_report_and_browser(client, city):
    report_anonymously(client, city, ADDRESS)
    report = Report.objects.get()
    token = SignInCode.objects.get().token
    other = services.submit(services.Submission(
        category="streetlight-out", description="x", landmark=city.landmarks[1],
        attributes={"how_many": "1"}))
    code = last_code(ADDRESS)
    elsewhere = reverse("reports:follow-confirm", args=[other.public_id, token])
    assert client.post(elsewhere, {"code": code}).status_code == 404
    stranger = Client().post(reverse("reports:follow-confirm", args=[report.public_id, token]),
                             {"code": code})
    assert stranger.status_code == 404
    assert not Follower.objects.exists()


def test_a_bad_address_is_refused_before_anything_is_saved(client, city):
    response = report_anonymously(client, city, "not an address")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="not an address"' in html
    assert not Report.objects.exists() and not LocalMessage.objects.exists()


def test_an_unconfirmed_address_is_forgotten_once_its_code_expires(client, city):
    report_anonymously(client, city, ADDRESS)
    first = SignInCode.objects.get()
    SignInCode.objects.filter(pk=first.pk).update(expires_at=timezone.now())
    codes.request_code("email", "taras@example.com", "198.51.100.7", for_updates=True)
    first.refresh_from_db()
    assert first.contact == "" and first.used_at is None
    assert not ExternalIdentity.objects.exists()


def test_a_sign_in_code_does_not_confirm_an_address_for_updates(client, city):
    row = codes.request_code("email", ADDRESS, "198.51.100.7")
    with pytest.raises(codes.CodeError):
        codes.confirm_contact(row.token, last_code(ADDRESS))


def test_signing_in_later_with_the_same_email_shows_the_report_in_the_cabinet(client, city):
    report_anonymously(client, city, ADDRESS)
    report = Report.objects.get()
    confirm = reverse("reports:follow-confirm",
                      args=[report.public_id, SignInCode.objects.get().token])
    client.post(confirm, {"code": last_code(ADDRESS)})
    later = Client()
    response = later.post("/cabinet/signin/code/", {"channel": "email", "address": ADDRESS})
    assert response.status_code == 302
    response = later.post(response["Location"], {"code": last_code(ADDRESS)})
    assert response.status_code == 302
    cabinet = later.get("/cabinet/").content.decode()
    assert report.public_id in cabinet
    assert ExternalIdentity.objects.count() == 1  # the same account, claimed by signing in


def test_a_phone_gets_the_update_by_sms(client, city, clerk):
    report_anonymously(client, city, "067 123-45-67")
    report = Report.objects.get()
    confirm = reverse("reports:follow-confirm",
                      args=[report.public_id, SignInCode.objects.get().token])
    assert client.post(confirm, {"code": last_code("+380671234567")}).status_code == 302
    clerk_changes_status(report, clerk, "accepted")
    sent = channels.gateways.LogGateway.sent
    assert any(address == "+380671234567" and report.public_id in text
               for channel, address, text in sent if channel == "sms")
