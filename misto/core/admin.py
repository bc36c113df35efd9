"""Back office for the outbox: browse events and deliveries, replay dead letters."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from misto.core import bus
from misto.core.admin_access import ActionAdmin, FollowsParentAdmin
from misto.core.models import EventDelivery, OutboxEvent
from misto.core.permissions import can


class DeliveryInline(FollowsParentAdmin, admin.TabularInline):
    model = EventDelivery
    extra = 0
    can_delete = False
    readonly_fields = ("handler", "status", "attempts", "next_attempt_at", "delivered_at",
                       "last_error")


@admin.register(OutboxEvent)
class OutboxEventAdmin(ActionAdmin):
    view_action = "core.event.view"
    admin_action = "core.event.admin"
    list_display = ("id", "name", "occurred_at", "relayed_at")
    list_filter = ("name",)
    search_fields = ("name", "uuid")
    readonly_fields = ("uuid", "name", "payload", "occurred_at", "relayed_at")
    inlines = [DeliveryInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # events are facts: published by the code, never typed in


@admin.register(EventDelivery)
class EventDeliveryAdmin(ActionAdmin):
    view_action = "core.event.view"
    admin_action = "core.event.admin"
    list_display = ("id", "event", "handler", "status", "attempts", "next_attempt_at")
    list_filter = ("status", "handler")
    readonly_fields = ("event", "handler", "status", "attempts", "next_attempt_at",
                       "delivered_at", "last_error")
    actions = ["replay"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_replay_permission(self, request: HttpRequest) -> bool:
        return can(request.user, "core.event.replay")

    @admin.action(description=_("Replay the selected dead letters"), permissions=["replay"])
    def replay(self, request: HttpRequest, queryset: QuerySet[EventDelivery]) -> None:
        with transaction.atomic():
            count = bus.replay(queryset.values_list("pk", flat=True))
        self.message_user(request, ngettext(
            "%(count)d delivery queued again.", "%(count)d deliveries queued again.", count
        ) % {"count": count}, messages.SUCCESS)
