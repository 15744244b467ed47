from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.payments import selectors
from apps.payments.models import (
    FeeSchedule,
    GatewayEvent,
    IncomingPayment,
    OutgoingPayment,
    StandingOrder,
    StandingOrderExecution,
    Transfer,
    TransferLimit,
)


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


@admin.register(OutgoingPayment)
class OutgoingPaymentAdmin(SimpleHistoryAdmin):
    """Payments to other banks. Their state changes only through the gateway's answers (submission, webhooks,
    polling); staff read them here."""

    list_display = ["reference", "business_date", "from_account", "amount", "currency", "rail", "creditor_name",
                    "status", "outcome_unknown"]
    list_filter = ["status", "rail", "currency", "outcome_unknown"]
    search_fields = ["=reference", "=gateway_id", "=from_account__number", "creditor_name", "creditor_account"]
    list_select_related = ["from_account"]
    readonly_fields = [f.name for f in OutgoingPayment._meta.fields]

    def get_queryset(self, request):
        return selectors.outgoing_payments_visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IncomingPayment)
class IncomingPaymentAdmin(SimpleHistoryAdmin):
    list_display = ["gateway_id", "business_date", "to_account", "amount", "currency", "debtor_name"]
    search_fields = ["=gateway_id", "=to_account__number", "debtor_name"]
    list_select_related = ["to_account"]
    readonly_fields = [f.name for f in IncomingPayment._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


class StandingOrderExecutionInline(admin.TabularInline):
    model = StandingOrderExecution
    fields = ["due_date", "status", "attempts", "last_attempt_on", "failure_code", "transfer"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(StandingOrder)
class StandingOrderAdmin(SimpleHistoryAdmin):
    list_display = ["id", "from_account", "to_account", "amount", "currency", "frequency", "next_due_date", "status"]
    list_filter = ["status", "frequency"]
    search_fields = ["=from_account__number", "=to_account__number", "reference"]
    list_select_related = ["from_account", "to_account"]
    readonly_fields = ["next_due_date", "status", "created_by"]
    inlines = [StandingOrderExecutionInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return [f.name for f in StandingOrder._meta.fields]  # set up once; a change is a new order

    def save_model(self, request, obj, form, change):
        if change:
            return
        from apps.ledger.money import Money
        from apps.payments.services.standing_orders import create_standing_order

        created = create_standing_order(
            from_account=obj.from_account, to_account_number=obj.to_account.number,
            money=Money(obj.amount, obj.currency), frequency=obj.frequency, start_date=obj.start_date,
            created_by=request.user, day_of_month=obj.day_of_month, weekday=obj.weekday, end_date=obj.end_date,
            count=obj.remaining_count, reference=obj.reference,
        )
        obj.pk, obj._state.adding = created.pk, False
