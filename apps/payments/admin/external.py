"""Payments to and from other banks, and the gateway's webhooks: read-only."""

from django.contrib import admin

from apps.payments import selectors
from apps.payments.admin.staff_payments import StaffOutgoingPaymentPageMixin
from apps.payments.models import GatewayEvent, IncomingPayment, OutgoingPayment
from config.admin_currency_filter import currency_filter
from config.admin_money import money_column, with_money_columns
from config.history_admin import EvidenceHistoryAdmin
from config.read_only_admin import ReadOnlyAdminMixin

AMOUNT = money_column("amount")


@admin.register(OutgoingPayment)
class OutgoingPaymentAdmin(StaffOutgoingPaymentPageMixin, ReadOnlyAdminMixin, EvidenceHistoryAdmin):
    """Payments to other banks. Their state changes only through the gateway's answers (submission, webhooks,
    polling); staff read them here, and make a new one on "New payment to another bank"."""

    list_display = ["reference", "business_date", "from_account", AMOUNT, "rail", "creditor_name",
                    "status", "outcome_unknown"]
    list_filter = ["status", "rail", currency_filter(), "outcome_unknown"]
    search_fields = ["=reference", "=gateway_id", "=from_account__number", "creditor_name", "creditor_account"]
    list_select_related = ["from_account"]
    readonly_fields = fields = with_money_columns([f.name for f in OutgoingPayment._meta.fields], {"amount": AMOUNT})

    def get_queryset(self, request):
        return selectors.outgoing_payments_visible_to(request.user)


@admin.register(IncomingPayment)
class IncomingPaymentAdmin(ReadOnlyAdminMixin, EvidenceHistoryAdmin):
    list_display = ["gateway_id", "business_date", "to_account", AMOUNT, "debtor_name"]
    search_fields = ["=gateway_id", "=to_account__number", "debtor_name"]
    list_select_related = ["to_account"]
    readonly_fields = fields = with_money_columns([f.name for f in IncomingPayment._meta.fields], {"amount": AMOUNT})

    def get_queryset(self, request):
        return selectors.incoming_payments_visible_to(request.user)


@admin.register(GatewayEvent)
class GatewayEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "gateway", "event_type", "received_at", "processed_at", "outcome"]
    list_filter = ["gateway", "event_type"]
    search_fields = ["=event_id"]
    readonly_fields = [f.name for f in GatewayEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
