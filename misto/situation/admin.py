"""Where the city tunes the situation centre: incident kinds (correlation radius, time
window, same-street rule, targets), the rules mapping report categories and sensor
quantities to kinds, and the crews with their members."""

from django.contrib import admin

from misto.core.admin_access import ActionAdmin, FollowsParentAdmin
from misto.situation.models import Crew, IncidentKind, KindRule


class KindRuleInline(FollowsParentAdmin, admin.TabularInline):
    model = KindRule
    extra = 1


@admin.register(IncidentKind)
class IncidentKindAdmin(ActionAdmin):
    view_action = "situation.config.view"
    admin_action = "situation.config.admin"
    list_display = ("code", "title_uk", "department", "radius_m", "window_minutes",
                    "same_street", "response_target_minutes", "resolution_target_minutes")
    list_editable = ("radius_m", "window_minutes", "same_street", "response_target_minutes",
                     "resolution_target_minutes")
    inlines = [KindRuleInline]


@admin.register(KindRule)
class KindRuleAdmin(ActionAdmin):
    view_action = "situation.config.view"
    admin_action = "situation.config.admin"
    list_display = ("source", "value", "kind")
    list_filter = ("source", "kind")
    search_fields = ("value",)


@admin.register(Crew)
class CrewAdmin(ActionAdmin):
    view_action = "situation.config.view"
    admin_action = "situation.config.admin"
    list_display = ("name", "department", "active")
    list_filter = ("department", "active")
    filter_horizontal = ("members",)
    search_fields = ("name",)
