"""The device registry in Django's admin: models, devices, rules, integrations, dead letters."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from misto.core.admin_access import ActionAdmin, FollowsParentAdmin
from misto.iot import services
from misto.iot.models import (
    DeadLetter,
    Device,
    DeviceModel,
    Integration,
    Maintenance,
    Quantity,
    Rule,
)


@admin.register(Quantity)
class QuantityAdmin(ActionAdmin):
    view_action = "iot.device.view"
    admin_action = "iot.device.admin"
    list_display = ("code", "name_uk", "unit_label", "min_value", "max_value", "retention_days")


@admin.register(DeviceModel)
class DeviceModelAdmin(ActionAdmin):
    view_action = "iot.device.view"
    admin_action = "iot.device.admin"
    list_display = ("code", "name", "entity_type", "decoder", "offline_after_minutes")


class MaintenanceInline(FollowsParentAdmin, admin.TabularInline):
    model = Maintenance
    extra = 1


@admin.register(Device)
class DeviceAdmin(ActionAdmin):
    view_action = "iot.device.view"
    admin_action = "iot.device.admin"
    list_display = ("uid", "name", "model", "owner_department", "district", "last_seen",
                    "offline", "active")
    list_filter = ("model", "active", "offline", "owner_department")
    search_fields = ("uid", "name", "dev_eui")
    readonly_fields = ("last_seen", "offline", "token_hash", "mqtt_password_hash", "version")
    inlines = [MaintenanceInline]

    def save_model(self, request: HttpRequest, obj: Device, form: Any, change: bool) -> None:
        with transaction.atomic():
            if change:
                obj.version += 1
            super().save_model(request, obj, form, change)
            services._announce(obj, "changed" if change else "created")
        transaction.on_commit(services.reset_directory)


@admin.register(Rule)
class RuleAdmin(ActionAdmin):
    view_action = "iot.device.view"
    admin_action = "iot.device.admin"
    list_display = ("name", "kind", "quantity", "model", "device", "district", "operator",
                    "threshold", "clear_at", "severity", "active")


@admin.register(Integration)
class IntegrationAdmin(ActionAdmin):
    view_action = "iot.device.view"
    admin_action = "iot.device.admin"
    list_display = ("name", "kind", "header_name", "active")
    readonly_fields = ("secret_hash",)


@admin.register(DeadLetter)
class DeadLetterAdmin(ActionAdmin):
    view_action = "iot.deadletter.view"
    admin_action = "iot.deadletter.admin"
    list_display = ("received_at", "channel", "device_uid", "reason", "detail")
    list_filter = ("channel", "reason")
    search_fields = ("device_uid", "detail")
