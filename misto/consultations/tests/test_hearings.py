"""Hearings: verified residents comment and reply while the period runs; a moderator hides a
comment citing a rule (the text is kept); the organiser publishes the report."""

from __future__ import annotations

from typing import Any

import pytest

from misto.consultations import services
from misto.consultations.errors import ConsultationsError
from misto.consultations.models import Comment, Hearing
from misto.core.models import OutboxEvent
from misto.residents import levels
from misto.testing.world import make_resident, signed_in

pytestmark = pytest.mark.django_db


def test_comment_moderate_and_report(hearing: Hearing, clerk: Any) -> None:
    resident = make_resident("commenter")
    first = services.comment(resident, levels.VERIFIED, hearing, "Більше лавок, будь ласка.")
    reply = signed_in(make_resident("replier")).post(
        f"/api/consultations/hearings/{hearing.pk}/comments",
        {"body": "Згоден.", "parent": first.pk}, content_type="application/json")
    assert reply.status_code == 201 and reply.json()["parent"] == first.pk
    with pytest.raises(ConsultationsError) as refused:
        services.comment(make_resident("by-code"), levels.BASIC, hearing, "Текст")
    assert refused.value.code == "level_too_low"

    hidden = signed_in(clerk).post(f"/api/consultations/comments/{first.pk}/hide",
                                   {"rule": "off_topic", "reason": "Не про площу."},
                                   content_type="application/json")
    assert hidden.status_code == 200 and hidden.json()["body"] == ""
    kept = Comment.objects.get(pk=first.pk)
    assert kept.body == "Більше лавок, будь ласка." and kept.hidden_rule == "off_topic"
    assert signed_in(clerk).post(f"/api/consultations/comments/{first.pk}/hide",
                                 {"rule": "spam"},
                                 content_type="application/json").status_code == 409
    public = signed_in(resident).get(f"/api/consultations/hearings/{hearing.pk}").json()
    assert "лавок" not in str(public) and "commenter" not in str(public)

    with pytest.raises(ConsultationsError):
        services.publish_report(hearing, "Звіт")  # the period is still open
    hearing = services.close_hearing(hearing)
    with pytest.raises(ConsultationsError) as late:
        services.comment(resident, levels.VERIFIED, hearing, "Ще одне.")
    assert late.value.code == "wrong_state"
    response = signed_in(clerk).post(f"/api/consultations/hearings/{hearing.pk}/report",
                                     {"report_uk": "Враховано 1 пропозицію."},
                                     content_type="application/json")
    assert response.status_code == 200 and response.json()["state"] == "reported"
    event = OutboxEvent.objects.get(name="consultations.ConsultationReportPublished")
    assert event.payload["comments"] == 2


def test_a_resident_may_not_moderate_and_a_draft_is_hidden(hearing: Hearing,
                                                          clerk: Any) -> None:
    resident = make_resident("commenter")
    row = services.comment(resident, levels.VERIFIED, hearing, "Текст коментаря.")
    assert signed_in(resident).post(f"/api/consultations/comments/{row.pk}/hide",
                                    {"rule": "spam"},
                                    content_type="application/json").status_code == 403
    draft = services.create_hearing(clerk, "Чернетка", hearing.closes_at)
    assert signed_in(resident).get(
        f"/api/consultations/hearings/{draft.pk}").status_code == 404
    assert signed_in(clerk).get(f"/api/consultations/hearings/{draft.pk}").status_code == 200
