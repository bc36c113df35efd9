"""The city's petition rules and moderation rules in the admin (petitions.rules.*)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from misto.core.admin_access import ActionAdmin
from misto.petitions.models import ModerationRule, Petition, Rules


@admin.register(Rules)
class RulesAdmin(ActionAdmin):
    view_action = "petitions.rules.view"
    admin_action = "petitions.rules.admin"
    list_display = ("threshold", "collection_days", "min_age", "answer_working_days",
                    "updated_at")

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return super().has_add_permission(request) and not Rules.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # the regulation changes, it is never absent


@admin.register(ModerationRule)
class ModerationRuleAdmin(ActionAdmin):
    view_action = "petitions.rules.view"
    admin_action = "petitions.rules.admin"
    list_display = ("code", "title_uk", "active", "order")


@admin.register(Petition)
class PetitionAdmin(ActionAdmin):
    """Read-only: petitions change through their pages, where every act is recorded."""

    view_action = "petitions.petition.view"
    admin_action = None
    list_display = ("number", "title", "status", "signature_count", "answer_due")
    list_filter = ("status", "topic")
    search_fields = ("number", "title")
