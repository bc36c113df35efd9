"""The directory of receptions in the admin (appeals.reception.*); appeals themselves change
only through their threads, where every step is recorded."""

from __future__ import annotations

from django.contrib import admin

from misto.appeals.models import Reception
from misto.core.admin_access import ActionAdmin


@admin.register(Reception)
class ReceptionAdmin(ActionAdmin):
    view_action = "appeals.reception.view"
    admin_action = "appeals.reception.admin"
    list_display = ("code", "title_uk", "kind", "department", "head", "active", "order")
    raw_id_fields = ("head",)
    list_filter = ("kind", "active")
