"""Fraud rules (a change is proposed to a checker) and the decisions they made (read-only)."""

from django.contrib import admin

from apps.payments import selectors
from apps.payments.admin.payment_settings import PaymentSettingAdmin
from apps.payments.models import FraudDecision, FraudRule
from config.admin_currency_filter import currency_filter
from config.admin_money import money_column, with_money_columns
from config.history_admin import EvidenceHistoryAdmin
from config.read_only_admin import ReadOnlyAdminMixin


@admin.register(FraudRule)
class FraudRuleAdmin(PaymentSettingAdmin):
    """Rules checked before a payment to someone else is accepted. Parameters by kind are described on the
    model (and validated on save); a rule with an amount is in one currency and checks payments in it only (one
    rule per currency). A change or a new rule waits for a second person's approval; history records who
    proposed and who approved it. (No editing in the list: each change goes through a proposal.)"""

    list_display = ["name", "kind", "action", "is_active", "priority", "parameters", "currency"]
    list_filter = ["kind", "action", "is_active", currency_filter()]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        return False  # decisions point at rules: deactivate one instead


DECISION_AMOUNT = money_column("amount")


@admin.register(FraudDecision)
class FraudDecisionAdmin(ReadOnlyAdminMixin, EvidenceHistoryAdmin):
    list_display = ["decided_at", "rule", "action", "payment_kind", "from_account", "destination", DECISION_AMOUNT,
                    "transfer", "outgoing_payment"]
    list_filter = ["action", "payment_kind", "rule"]
    search_fields = ["=from_account__number", "=destination", "=idempotency_key"]
    list_select_related = ["rule", "from_account", "transfer", "outgoing_payment"]
    readonly_fields = fields = with_money_columns(
        [f.name for f in FraudDecision._meta.fields], {"amount": DECISION_AMOUNT})
    date_hierarchy = "decided_at"

    def get_queryset(self, request):
        return selectors.fraud_decisions_visible_to(request.user)
