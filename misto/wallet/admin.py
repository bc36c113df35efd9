"""Fares as data in the admin (wallet.fares.*): the fare and caps, passes, benefit rules.
Accounts, postings and rides are not editable anywhere: money moves only by transfers."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from misto.core.admin_access import ActionAdmin
from misto.wallet.models import BenefitRule, FareTable, Product


class FaresAdmin(ActionAdmin):
    view_action = "wallet.fares.view"
    admin_action = "wallet.fares.admin"

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # sold passes and charged rides point at them: retire, never delete


@admin.register(FareTable)
class FareTableAdmin(FaresAdmin):
    list_display = ("code", "single_fare", "daily_cap", "weekly_cap")


@admin.register(Product)
class ProductAdmin(FaresAdmin):
    list_display = ("code", "title_uk", "kind", "price", "trips", "days", "active")


@admin.register(BenefitRule)
class BenefitRuleAdmin(FaresAdmin):
    list_display = ("category", "title_uk", "discount_percent")
