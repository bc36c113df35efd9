"""Model -> schema, in one place for every audience."""

from __future__ import annotations

from django.utils.translation import get_language

from misto.petitions import services
from misto.petitions.api.schemas import PetitionDetailOut, PetitionOut, PetitionRuleOut
from misto.petitions.models import ModerationRule, Petition


def petition_out(petition: Petition) -> PetitionOut:
    return PetitionOut(
        id=petition.pk, number=petition.number, title=petition.title, topic=petition.topic,
        status=petition.status, district=petition.district, place_label=petition.place_label,
        signature_count=petition.signature_count, threshold=petition.threshold,
        progress=petition.progress(), opened_at=petition.opened_at,
        collection_ends=petition.collection_ends, answer_due=petition.answer_due,
        overdue=petition.overdue_since is not None)


def petition_detail(petition: Petition) -> PetitionDetailOut:
    deadline = services.answer_deadline(petition)
    return PetitionDetailOut(
        **petition_out(petition).dict(), text=petition.text,
        threshold_reached_on=petition.threshold_reached_on,
        answer_deadline=deadline.explanation() if deadline else "",
        answered_at=petition.answered_at, answer_text=petition.answer_text,
        answer_document=petition.answer_document.url if petition.answer_document else None,
        rejected_rule=petition.rejected_rule.code if petition.rejected_rule else None,
        moderation_note=petition.moderation_note)


def rule_out(rule: ModerationRule) -> PetitionRuleOut:
    english = (get_language() or "uk").startswith("en")
    return PetitionRuleOut(code=rule.code, title=rule.title_en if english else rule.title_uk,
                   text=rule.text_en if english else rule.text_uk)
