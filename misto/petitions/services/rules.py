"""The city's petition rules (one row, created with the defaults on first use)."""

from __future__ import annotations

from django.db.models import QuerySet

from misto.petitions.models import ModerationRule, Rules


def current_rules() -> Rules:
    rules = Rules.objects.order_by("pk").first()
    return rules if rules is not None else Rules.objects.create()


def published_rules() -> QuerySet[ModerationRule]:
    return ModerationRule.objects.filter(active=True)
