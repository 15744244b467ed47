import calendar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect

from apps.accounts.models import Account
from apps.customers.models import Customer
from apps.domain_errors import DomainError
from apps.money import Money
from apps.organization.branch_scope import visible_to
from apps.organization.configuration_admin import ConfigurationChangeAdminMixin
from apps.payments import selectors
from apps.payments.models import (
    Beneficiary,
    FeeSchedule,
    FraudDecision,
    FraudRule,
    GatewayEvent,
    IncomingPayment,
    OutgoingPayment,
    PaymentReview,
    StandingOrder,
    StandingOrderExecution,
    Transfer,
    TransferLimit,
)
from apps.payments.services import reviews
from apps.payments.services.settings_changes import propose_payment_setting_change
from apps.payments.services.standing_orders import build_standing_order, create_standing_order
from config.history_admin import EvidenceHistoryAdmin
from config.read_only_admin import ReadOnlyAdminMixin


class PaymentSettingAdmin(ConfigurationChangeAdminMixin, EvidenceHistoryAdmin):
    """Saving proposes the change (or the new row) to a checker; nothing changes until another person approves."""

    def propose_change(self, request, proposed, form, formsets):
        return propose_payment_setting_change(proposed=proposed, maker=request.user)


@admin.register(FeeSchedule)
class FeeScheduleAdmin(PaymentSettingAdmin):
    list_display = ["product", "channel", "currency", "fixed_fee", "percentage", "minimum_fee", "maximum_fee",
                    "is_active"]
    list_filter = ["channel", "currency", "is_active"]
    list_select_related = ["product"]


@admin.register(TransferLimit)
class TransferLimitAdmin(PaymentSettingAdmin):
    list_display = ["product", "customer_tier", "currency", "per_transaction", "per_day"]
    list_filter = ["customer_tier", "currency"]
    list_select_related = ["product"]


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdminMixin, EvidenceHistoryAdmin):
    """Transfers are records of posted entries: read-only; a mistake is corrected by reversing the entry."""

    list_display = ["id", "business_date", "from_account", "to_account", "amount", "fee", "currency", "channel",
                    "status", "initiated_by"]
    list_filter = ["status", "channel", "currency", "business_date"]
    search_fields = ["=from_account__number", "=to_account__number", "reference", "=id"]
    date_hierarchy = "business_date"
    readonly_fields = [f.name for f in Transfer._meta.fields]

    def get_queryset(self, request):
        return selectors.transfers_visible_to(request.user)


@admin.register(OutgoingPayment)
class OutgoingPaymentAdmin(ReadOnlyAdminMixin, EvidenceHistoryAdmin):
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


@admin.register(IncomingPayment)
class IncomingPaymentAdmin(ReadOnlyAdminMixin, EvidenceHistoryAdmin):
    list_display = ["gateway_id", "business_date", "to_account", "amount", "currency", "debtor_name"]
    search_fields = ["=gateway_id", "=to_account__number", "debtor_name"]
    list_select_related = ["to_account"]
    readonly_fields = [f.name for f in IncomingPayment._meta.fields]

    def get_queryset(self, request):
        # The beneficiary's account decides who sees a payment in, as the payer's does for one out.
        return super().get_queryset(request).filter(to_account__in=visible_to(request.user, Account.objects.all()))


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


class StandingOrderAddForm(forms.ModelForm):
    """What ``create_standing_order`` needs. The payer is an account the staff member may change (chosen by
    autocomplete); the payee is typed as an account number, since it may be any account of the bank. ``clean``
    asks the service to check the order, so a refusal is a form error and nothing is written."""

    _field = StandingOrder._meta.get_field
    to_account_number = forms.CharField(label="Payee account number", max_length=40)
    # A string, not a DecimalField: Money reads it and refuses what the ledger would refuse.
    amount = forms.CharField(max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 16}))
    currency = _field("currency").formfield()
    reference = _field("reference").formfield()
    frequency = _field("frequency").formfield()
    day_of_month = _field("day_of_month").formfield(help_text="Monthly orders: 1-31 (the 31st is each month's "
                                                              "last day).")
    weekday = forms.TypedChoiceField(choices=[("", "---------"), *enumerate(calendar.day_name)], coerce=int,
                                     empty_value=None, required=False, help_text="Weekly orders.")
    start_date = forms.DateField(widget=AdminDateWidget)
    end_date = forms.DateField(widget=AdminDateWidget, required=False)
    remaining_count = _field("remaining_count").formfield(label="Number of payments")
    del _field

    created_by = None  # the staff member, set by StandingOrderAdmin.get_form

    class Meta:
        model = StandingOrder
        # Only the payer is a model field: every other value goes to the service, which checks it (the form's
        # own model validation would repeat the service's checks and show each refusal twice).
        fields = ["from_account"]

    def standing_order_arguments(self) -> dict:
        chosen = self.cleaned_data
        return {
            "from_account": chosen["from_account"], "to_account_number": chosen["to_account_number"],
            "money": Money(chosen["amount"], chosen["currency"]), "frequency": chosen["frequency"],
            "start_date": chosen["start_date"], "created_by": self.created_by,
            "day_of_month": chosen["day_of_month"], "weekday": chosen["weekday"], "end_date": chosen["end_date"],
            "count": chosen["remaining_count"], "reference": chosen["reference"],
        }

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned  # a missing or malformed field already says what is wrong
        try:
            self.order = build_standing_order(**self.standing_order_arguments())
        except DomainError as refusal:
            self.add_error(None, forms.ValidationError(str(refusal), code=refusal.code))
        except ValidationError as invalid:  # the model's checks (e.g. payer and payee the same account)
            for name, errors in invalid.message_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        return cleaned


@admin.register(StandingOrder)
class StandingOrderAdmin(EvidenceHistoryAdmin):
    """Standing orders of the accounts the staff member may see. A new one is set up through
    ``create_standing_order`` (the add form asks the service first, so a refusal is a form error); once set up an
    order is read-only: a change is a new order."""

    list_display = ["id", "from_account", "to_account", "amount", "currency", "frequency", "next_due_date", "status"]
    list_filter = ["status", "frequency"]
    search_fields = ["=from_account__number", "=to_account__number", "reference"]
    list_select_related = ["from_account", "to_account"]
    readonly_fields = ["next_due_date", "status", "created_by"]
    autocomplete_fields = ["from_account"]  # AccountAdmin's search, limited to the staff member's branch
    inlines = [StandingOrderExecutionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(from_account__in=visible_to(request.user, Account.objects.all()))

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change, **kwargs)
        form = super().get_form(request, obj, change, form=StandingOrderAddForm, **kwargs)
        return type(form.__name__, (form,), {"created_by": request.user})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "from_account":
            kwargs["queryset"] = visible_to(request.user, Account.objects.all(), "change")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return [f.name for f in StandingOrder._meta.fields]  # set up once; a change is a new order

    def save_form(self, request, form, change):
        constructed = super().save_form(request, form, change)  # also readies form.save_m2m for save_related
        return constructed if change else form.order  # the order the service checked in the form's clean()

    def save_model(self, request, obj, form, change):
        if change:
            return
        created = create_standing_order(**form.standing_order_arguments())
        obj.pk, obj._state.adding = created.pk, False


@admin.register(Beneficiary)
class BeneficiaryAdmin(ReadOnlyAdminMixin, EvidenceHistoryAdmin):
    """Customers' saved payees. Saved and removed through the customer channels; staff read them here."""

    list_display = ["name", "account_identifier", "country", "owner", "created_at", "removed_at"]
    list_filter = ["country"]
    search_fields = ["=account_identifier", "name", "owner__legal_name"]
    list_select_related = ["owner"]
    readonly_fields = [f.name for f in Beneficiary._meta.fields]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(owner__in=visible_to(request.user, Customer.objects.all()))


@admin.register(FraudRule)
class FraudRuleAdmin(PaymentSettingAdmin):
    """Rules checked before a payment to someone else is accepted. Parameters by kind are described on the
    model (and validated on save); a rule with an amount is in one currency and checks payments in it only (one
    rule per currency). A change or a new rule waits for a second person's approval; history records who
    proposed and who approved it. (No editing in the list: each change goes through a proposal.)"""

    list_display = ["name", "kind", "action", "is_active", "priority", "parameters", "currency"]
    list_filter = ["kind", "action", "is_active", "currency"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        return False  # decisions point at rules: deactivate one instead


@admin.register(FraudDecision)
class FraudDecisionAdmin(ReadOnlyAdminMixin, EvidenceHistoryAdmin):
    list_display = ["decided_at", "rule", "action", "payment_kind", "from_account", "destination", "amount",
                    "currency", "transfer", "outgoing_payment"]
    list_filter = ["action", "payment_kind", "rule"]
    search_fields = ["=from_account__number", "=destination", "=idempotency_key"]
    list_select_related = ["rule", "from_account", "transfer", "outgoing_payment"]
    readonly_fields = [f.name for f in FraudDecision._meta.fields]
    date_hierarchy = "decided_at"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(from_account__in=visible_to(request.user, Account.objects.all()))


class PaymentReviewForm(forms.ModelForm):
    decision = forms.ChoiceField(choices=[("release", "Release the payment"), ("reject", "Reject the payment")])

    class Meta:
        model = PaymentReview
        fields = ["decision", "decision_reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision_reason"].required = True


class FraudDecisionInline(admin.TabularInline):
    model = FraudDecision
    fk_name = "transfer"
    fields = ["rule", "action", "figures", "decided_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class OutgoingFraudDecisionInline(FraudDecisionInline):
    fk_name = "outgoing_payment"


@admin.register(PaymentReview)
class PaymentReviewAdmin(EvidenceHistoryAdmin):
    """The review queue: payments a fraud rule held. Open one, choose release or reject and say why; the
    decision runs through the review service and history records who decided."""

    list_display = ["id", "created_at", "from_account", "amount", "currency", "payment", "rules_fired", "status",
                    "decided_by"]
    list_filter = ["status", "currency"]
    search_fields = ["=from_account__number", "rules_fired"]
    list_select_related = ["from_account", "transfer", "outgoing_payment", "decided_by"]
    readonly_fields = ["payment", "from_account", "amount", "currency", "rules_fired", "figures", "status",
                       "decided_by", "decided_at", "created_at"]

    @admin.display(description="payment")
    def payment(self, obj):
        return obj.outgoing_payment.reference if obj.outgoing_payment_id else f"TR{obj.transfer_id}"

    @admin.display(description="what made the rules fire")
    def figures(self, obj):
        decisions = FraudDecision.objects.filter(Q(transfer_id=obj.transfer_id, transfer__isnull=False)
                                                 | Q(outgoing_payment_id=obj.outgoing_payment_id,
                                                     outgoing_payment__isnull=False)).select_related("rule")
        return "; ".join(f"{d.rule.name}: {d.figures}" for d in decisions)

    def get_queryset(self, request):
        return selectors.payment_reviews_visible_to(request.user).select_related("transfer")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and obj.status == PaymentReview.Status.PENDING and self.has_change_permission(request, obj):
            kwargs["form"] = PaymentReviewForm
            return super().get_form(request, obj, change, **kwargs)
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is not None and obj.status == PaymentReview.Status.PENDING and self.has_change_permission(request, obj):
            return [*self.readonly_fields, "decision", "decision_reason"]
        return [*self.readonly_fields, "decision_reason"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status == PaymentReview.Status.PENDING and self.has_change_permission(request, obj):
            return self.readonly_fields
        return [*self.readonly_fields, "decision_reason"]

    def has_change_permission(self, request, obj=None):
        # A decided review is a record: only a pending one can be decided, once.
        pending = obj is None or obj.status == PaymentReview.Status.PENDING
        return pending and request.user.has_perm("payments.review_payment")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        decide = (reviews.release_held_payment if form.cleaned_data["decision"] == "release"
                  else reviews.reject_held_payment)
        try:
            decide(review=obj, actor=request.user, reason=form.cleaned_data["decision_reason"])
        except DomainError as refusal:
            self.message_user(request, str(refusal), level=messages.ERROR)
            raise _Refused from refusal

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Refused:
            return HttpResponseRedirect(request.path)


class _Refused(Exception):
    """The review service refused the decision: the admin shows why and saves nothing."""
