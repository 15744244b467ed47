"""Interest accruals, day by day: read-only."""

from django.contrib import admin

from apps.accounts.models import InterestAccrual
from apps.accounts.selectors import interest_accruals_visible_to
from config.read_only_admin import ReadOnlyAdminMixin


@admin.register(InterestAccrual)
class InterestAccrualAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["business_date", "account", "kind", "balance", "annual_rate", "amount", "posted_on"]
    list_filter = ["kind", "business_date"]
    search_fields = ["account__number"]
    list_select_related = ["account"]
    show_full_result_count = False

    def get_queryset(self, request):
        return interest_accruals_visible_to(request.user)
