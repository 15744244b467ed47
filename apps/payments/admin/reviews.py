"""The review queue: a compliance officer releases or rejects a held payment through the review service."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.http import HttpResponseRedirect

from apps.domain_errors import DomainError
from apps.payments import selectors
from apps.payments.models import FraudDecision, PaymentReview
from apps.payments.services import reviews
from config.admin_currency_filter import currency_filter
from config.admin_money import money_column
from config.history_admin import EvidenceHistoryAdmin


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


AMOUNT = money_column("amount")


@admin.register(PaymentReview)
class PaymentReviewAdmin(EvidenceHistoryAdmin):
    """The review queue: payments a fraud rule held. Open one, choose release or reject and say why; the
    decision runs through the review service and history records who decided."""

    list_display = ["id", "created_at", "from_account", AMOUNT, "payment", "rules_fired", "status",
                    "decided_by"]
    list_filter = ["status", currency_filter()]
    search_fields = ["=from_account__number", "rules_fired"]
    list_select_related = ["from_account", "transfer", "outgoing_payment", "decided_by"]
    readonly_fields = ["payment", "from_account", AMOUNT, "rules_fired", "figures", "status",
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
