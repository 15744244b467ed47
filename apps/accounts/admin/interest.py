"""Interest accruals, day by day: read-only."""

from django.contrib import admin

from apps.accounts.models import InterestAccrual
from apps.accounts.selectors import interest_accruals_visible_to
from config.admin_paginator import LargeListAdminMixin
from config.admin_search import compact, starting_with
from config.read_only_admin import ReadOnlyAdminMixin


@admin.register(InterestAccrual)
class InterestAccrualAdmin(LargeListAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["business_date", "account", "kind", "balance", "annual_rate", "amount", "posted_on"]
    list_filter = ["kind", "business_date"]
    search_fields = ["account__number"]
    list_select_related = ["account"]

    def get_queryset(self, request):
        return interest_accruals_visible_to(request.user)

    def get_search_results(self, request, queryset, search_term):
        """The accruals of the accounts whose number starts with the term (a whole number, spaces allowed)."""
        number = compact(search_term)
        if not number:
            return queryset, False
        return queryset.filter(starting_with("account__number", number)), False
