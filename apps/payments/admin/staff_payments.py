"""Staff payments from the admin: a transfer between accounts of this bank, and a payment to another bank. Each
form calls ``submit_transfer`` / ``submit_outgoing_payment`` as the API does for staff, so above the approval
threshold of its currency the payment waits for a checker (an approval request) and nothing moves.

The form carries an idempotency key made once when the form is shown: submitting it twice (a double click, a
reload) answers the same transfer, payment or approval request, and pays once."""

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import path, reverse

from apps.domain_errors import DomainError
from apps.money import CURRENCY_CHOICES, Money
from apps.organization.models import ApprovalRequest
from apps.payments import selectors
from apps.payments.models import Channel, Rail, Transfer
from apps.payments.services.initiators import OUTGOING_PAYMENT_PERMISSION, TRANSFER_PERMISSION
from apps.payments.services.staff_payments import submit_outgoing_payment, submit_transfer
from config.admin_operations import operation_page


def new_idempotency_key() -> str:
    return f"admin-{uuid.uuid4().hex}"


class StaffPaymentForm(forms.Form):
    """The key is a hidden field set when the form is first shown; a re-shown form (an error) keeps it."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)
    from_account = forms.CharField(label="Payer account number", max_length=40)
    # A string, not a DecimalField: Money reads it and refuses what the ledger would refuse.
    amount = forms.CharField(max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 16}))
    currency = forms.ChoiceField(choices=CURRENCY_CHOICES, initial="EUR")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", new_idempotency_key())
        super().__init__(*args, **kwargs)


class StaffTransferForm(StaffPaymentForm):
    field_order = ["from_account", "to_account", "amount", "currency", "reference"]
    to_account = forms.CharField(label="Payee account number", max_length=40)
    reference = forms.CharField(max_length=140, required=False)


class StaffOutgoingPaymentForm(StaffPaymentForm):
    field_order = ["from_account", "amount", "currency", "rail", "creditor_name", "creditor_account",
                   "creditor_bic", "creditor_country", "remittance_information"]
    rail = forms.ChoiceField(choices=Rail.choices)
    creditor_name = forms.CharField(max_length=140)
    creditor_account = forms.CharField(label="Creditor IBAN", max_length=42, help_text="Spaces allowed.")
    creditor_bic = forms.CharField(label="Creditor BIC", max_length=11, required=False,
                                   help_text="8 or 11 characters, optional.")
    creditor_country = forms.RegexField(regex=r"^[A-Za-z]{2}$", max_length=2, help_text="Two letters (PT, ES).")
    remittance_information = forms.CharField(max_length=140, required=False)


def _staff_payment_view(model_admin, request, *, form_class, permission, submit, title, submit_label, intro):
    if not request.user.has_perm(permission):
        raise PermissionDenied
    form = form_class(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            result = submit(request, form.cleaned_data)
        except DomainError as refusal:
            form.add_error(None, str(refusal))
        else:
            return _after_submit(model_admin, request, result)
    return operation_page(model_admin, request, form=form, title=title, submit_label=submit_label, intro=intro,
                          cancel_url=reverse(f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}"
                                             "_changelist"))


def _after_submit(model_admin, request, result):
    if isinstance(result, ApprovalRequest):
        model_admin.message_user(request, f"Above the approval threshold: approval request {result.pk} waits for a "
                                          f"checker. Nothing has moved yet. ({result.summary})", messages.WARNING)
        return HttpResponseRedirect(reverse("admin:organization_approvalrequest_change", args=[result.pk]))
    if isinstance(result, Transfer):
        what, url = f"Transfer {result.pk}", reverse("admin:payments_transfer_change", args=[result.pk])
    else:
        what, url = f"Payment {result.reference}", reverse("admin:payments_outgoingpayment_change",
                                                             args=[result.pk])
    if result.status == result.Status.HELD:
        model_admin.message_user(request, f"{what} is held for review by a fraud rule: nothing has moved yet.",
                                 messages.WARNING)
    else:
        model_admin.message_user(request, f"{what}: {result.get_status_display().lower()}.", messages.SUCCESS)
    return HttpResponseRedirect(url)


class StaffTransferPageMixin:
    """TransferAdmin's "New staff transfer" page (/admin/payments/transfer/new/)."""

    def get_urls(self):
        return [path("new/", self.admin_site.admin_view(self.staff_transfer_view), name="payments_transfer_new"),
                *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "staff_payment_url": reverse("admin:payments_transfer_new"),
                         "staff_payment_label": "New staff transfer",
                         "may_submit_staff_payment": request.user.has_perm(TRANSFER_PERMISSION)}
        return super().changelist_view(request, extra_context)

    def staff_transfer_view(self, request):
        def submit(request, chosen):
            return submit_transfer(
                from_account_number=chosen["from_account"], to_account_number=chosen["to_account"],
                money=Money(chosen["amount"], chosen["currency"]), reference=chosen["reference"],
                channel=Channel.BRANCH, initiated_by=request.user, idempotency_key=chosen["idempotency_key"],
                payer_accounts=selectors.payer_accounts_of(request.user))
        return _staff_payment_view(
            self, request, form_class=StaffTransferForm, permission=TRANSFER_PERMISSION, submit=submit,
            title="New staff transfer", submit_label="Submit transfer",
            intro="From an account of your branch to any account of this bank. Above the approval threshold the "
                  "transfer waits for a checker.")


class StaffOutgoingPaymentPageMixin:
    """OutgoingPaymentAdmin's "New payment to another bank" page (/admin/payments/outgoingpayment/new/)."""

    def get_urls(self):
        return [path("new/", self.admin_site.admin_view(self.staff_outgoing_payment_view),
                     name="payments_outgoingpayment_new"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "staff_payment_url": reverse("admin:payments_outgoingpayment_new"),
                         "staff_payment_label": "New payment to another bank",
                         "may_submit_staff_payment": request.user.has_perm(OUTGOING_PAYMENT_PERMISSION)}
        return super().changelist_view(request, extra_context)

    def staff_outgoing_payment_view(self, request):
        def submit(request, chosen):
            return submit_outgoing_payment(
                from_account_number=chosen["from_account"], money=Money(chosen["amount"], chosen["currency"]),
                rail=chosen["rail"], creditor_name=chosen["creditor_name"],
                creditor_account=chosen["creditor_account"], creditor_bic=chosen["creditor_bic"],
                creditor_country=chosen["creditor_country"].upper(),
                remittance_information=chosen["remittance_information"], initiated_by=request.user,
                idempotency_key=chosen["idempotency_key"], payer_accounts=selectors.payer_accounts_of(request.user))
        return _staff_payment_view(
            self, request, form_class=StaffOutgoingPaymentForm, permission=OUTGOING_PAYMENT_PERMISSION,
            submit=submit, title="New payment to another bank", submit_label="Submit payment",
            intro="From an account of your branch to an IBAN at another bank. Above the approval threshold the "
                  "payment waits for a checker.")


