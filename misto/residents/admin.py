"""Admin for configuration only: benefit categories and staff roles.

People are deliberately not in the admin: every read of personal data must go through
``services.read_personal`` (scope check and access log), which the admin would bypass.
"""

from django.contrib import admin

from misto.core.admin_access import ActionAdmin
from misto.core.models import StaffAssignment
from misto.residents.models import BenefitCategory


@admin.register(BenefitCategory)
class BenefitCategoryAdmin(ActionAdmin):
    view_action = "residents.benefit.view"
    admin_action = "residents.benefit.admin"
    list_display = ("code", "title_uk", "title_en", "active")
    list_filter = ("active",)


@admin.register(StaffAssignment)
class StaffAssignmentAdmin(ActionAdmin):
    view_action = "core.assignment.view"
    admin_action = "core.assignment.admin"
    list_display = ("user", "role", "department", "district", "created_at")
    list_filter = ("role", "department", "district")
    search_fields = ("user__username",)
    raw_id_fields = ("user",)
