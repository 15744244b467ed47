"""Internal transfers: read-only records of posted entries."""

from django.contrib import admin

from apps.payments import selectors
from apps.payments.admin.staff_payments import StaffTransferPageMixin
from apps.payments.models import Transfer
from config.admin_currency_filter import currency_filter
from config.admin_money import money_column, with_money_columns
from config.history_admin import EvidenceHistoryAdmin
from config.read_only_admin import ReadOnlyAdminMixin

AMOUNT, FEE = money_column("amount"), money_column("fee")


@admin.register(Transfer)
class TransferAdmin(StaffTransferPageMixin, ReadOnlyAdminMixin, EvidenceHistoryAdmin):
    """Transfers are records of posted entries: read-only; a mistake is corrected by reversing the entry. Staff
    make a new one on "New staff transfer" (apps/payments/admin/staff_payments.py)."""

    list_display = ["id", "business_date", "from_account", "to_account", AMOUNT, FEE, "channel",
                    "status", "initiated_by"]
    list_filter = ["status", "channel", currency_filter(), "business_date"]
    search_fields = ["=from_account__number", "=to_account__number", "reference", "=id"]
    date_hierarchy = "business_date"
    readonly_fields = fields = with_money_columns(
        [f.name for f in Transfer._meta.fields], {"amount": AMOUNT, "fee": FEE})

    def get_queryset(self, request):
        return selectors.transfers_visible_to(request.user)
