"""Moderation: a draft is opened for signatures or rejected citing a published rule."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from misto.core import bus
from misto.petitions.errors import PetitionError, PetitionsCode
from misto.petitions.events import PetitionOpened, PetitionRejected
from misto.petitions.models import ModerationRule, Petition, Status
from misto.petitions.services.rules import current_rules

NOTE = 2000


def _check_under_moderation(petition: Petition) -> None:
    if petition.status != Status.MODERATION:
        raise PetitionError(PetitionsCode.WRONG_STATUS,
                            _("This petition is not waiting for moderation."))


def _next_number(year: int) -> str:
    taken = Petition.objects.filter(number__startswith=f"{year}-").count()
    return f"{year}-{taken + 1:04d}"


def open_petition(moderator: Any, petition: Petition) -> Petition:
    """Open for signatures under the rules in force today (copied onto the petition)."""
    _check_under_moderation(petition)
    rules = current_rules()
    today = timezone.localdate()
    for _attempt in range(5):  # two moderators opening at once: the number is unique
        try:
            with transaction.atomic():
                petition.number = _next_number(today.year)
                petition.status = Status.COLLECTING
                petition.opened_at = timezone.now()
                petition.collection_ends = today + timedelta(days=rules.collection_days)
                petition.threshold = rules.threshold
                petition.min_age = rules.min_age
                petition.sign_level = rules.sign_level
                petition.register_verified_only = rules.register_verified_only
                petition.answer_working_days = rules.answer_working_days
                petition.signer_names = rules.signer_names
                petition.department = rules.answering_department
                petition.moderated_by = moderator
                petition.save()
                bus.publish(PetitionOpened(
                    petition_id=petition.pk, number=petition.number, title=petition.title,
                    district=petition.district, threshold=rules.threshold,
                    collection_ends=petition.collection_ends.isoformat(),
                    author_user_id=petition.author_id,
                    url=reverse("petitions:detail", args=[petition.number])))
            return petition
        except IntegrityError:
            petition.number = None
    raise PetitionError(PetitionsCode.INVALID, _("Could not number the petition; try again."))


def reject(moderator: Any, petition: Petition, rule_code: str, note: str = "") -> Petition:
    """Refuse, citing the rule (never silently); the author sees the rule and the note."""
    _check_under_moderation(petition)
    rule = ModerationRule.objects.filter(code=rule_code, active=True).first()
    if rule is None:
        raise PetitionError(PetitionsCode.UNKNOWN_RULE,
                            _("Cite one of the published rules."), field="rule")
    with transaction.atomic():
        petition.status = Status.REJECTED
        petition.rejected_rule = rule
        petition.moderation_note = (note or "").strip()[:NOTE]
        petition.moderated_by = moderator
        petition.save(update_fields=["status", "rejected_rule", "moderation_note",
                                     "moderated_by"])
        bus.publish(PetitionRejected(petition_id=petition.pk, rule=rule.code,
                                     author_user_id=petition.author_id, title=petition.title))
    return petition
