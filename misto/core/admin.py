"""Back office for the outbox: browse events and deliveries, replay dead letters."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from misto.core import bus, workdays
from misto.core.admin_access import ActionAdmin, FollowsParentAdmin
from misto.core.models import CalendarDay, EventDelivery, OutboxEvent
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


@admin.register(CalendarDay)
class CalendarDayAdmin(ActionAdmin):
    """The city's own days off and working days; saving goes through ``workdays`` so that
    modules hear of it and move their running deadlines."""

    view_action = "core.calendar.view"
    admin_action = "core.calendar.admin"
    list_display = ("day", "working", "reason")
    list_filter = ("working",)
    date_hierarchy = "day"

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: object,
                   change: bool) -> None:
        if change and "day" in getattr(form, "changed_data", ()):
            workdays.remove_city_day(CalendarDay.objects.get(pk=obj.pk).day)
        saved = workdays.set_city_day(obj.day, working=obj.working, reason=obj.reason)
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        workdays.remove_city_day(obj.day)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for day in list(queryset.values_list("day", flat=True)):
            workdays.remove_city_day(day)
