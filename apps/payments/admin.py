from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.payments import selectors
from apps.payments.models import FeeSchedule, Transfer, TransferLimit


@admin.register(FeeSchedule)
class FeeScheduleAdmin(SimpleHistoryAdmin):
    list_display = ["product", "channel", "currency", "fixed_fee", "percentage", "minimum_fee", "maximum_fee",
                    "is_active"]
    list_filter = ["channel", "currency", "is_active"]
    list_select_related = ["product"]


@admin.register(TransferLimit)
class TransferLimitAdmin(SimpleHistoryAdmin):
    list_display = ["product", "customer_tier", "currency", "per_transaction", "per_day"]
    list_filter = ["customer_tier", "currency"]
    list_select_related = ["product"]


@admin.register(Transfer)
class TransferAdmin(SimpleHistoryAdmin):
    """Transfers are records of posted entries: read-only; a mistake is corrected by reversing the entry."""

    list_display = ["id", "business_date", "from_account", "to_account", "amount", "fee", "currency", "channel",
                    "initiated_by"]
    list_filter = ["channel", "currency", "business_date"]
    search_fields = ["=from_account__number", "=to_account__number", "reference", "=id"]
    date_hierarchy = "business_date"
    readonly_fields = [f.name for f in Transfer._meta.fields]

    def get_queryset(self, request):
        return selectors.transfers_visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
