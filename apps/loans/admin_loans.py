"""Booked loans in the admin: a door to the services, not a table editor. The loan page shows the schedule (paid,
due, overdue), the balances by component and the transactions; its one action, *Repay at the counter*, takes a
repayment from the loan's deposit account (``repay_loan``) — the payoff amount filled in when asked for."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from apps.domain_errors import DomainError
from apps.loans.loan_selectors import get_visible_loan, loan_balances, loans_visible_to
from apps.loans.models import Loan, LoanInstalment, LoanTransaction, PrepaymentChoice
from apps.loans.services.quotes import payoff_quote
from apps.loans.services.repayment import repay_loan
from apps.money import Money, MoneyError, format_amount
from apps.organization.selectors import current_business_date
from config.admin_money import money_column
from config.history_admin import EvidenceHistoryAdmin


class CounterRepaymentForm(forms.Form):
    amount = forms.DecimalField(max_digits=20, decimal_places=4, min_value=0)
    prepayment = forms.ChoiceField(choices=[("", "No prepayment: only what is due"), *PrepaymentChoice.choices],
                                   required=False)
    # One key per form shown: a double submit is one repayment.
    idempotency_key = forms.CharField(widget=forms.HiddenInput)


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class InstalmentInline(_ReadOnlyInline):
    model = LoanInstalment
    fields = readonly_fields = ["number", "due_date", "status", "principal_due", "interest_due", "fee_due",
                                "penalty_due", "principal_paid", "interest_paid", "fee_paid", "penalty_paid",
                                "paid_on"]
    ordering = ["due_date", "number"]


class TransactionInline(_ReadOnlyInline):
    model = LoanTransaction
    fk_name = "loan"
    fields = readonly_fields = ["kind", "channel", "value_date", "booked_on", "amount", "principal_portion",
                                "interest_portion", "fee_portion", "penalty_portion", "journal_entry"]
    ordering = ["value_date", "id"]


@admin.register(Loan)
class LoanAdmin(EvidenceHistoryAdmin):
    list_display = ["id", "customer", "product", money_column("principal"), "disbursement_date", "status"]
    list_filter = ["status", "product"]
    list_select_related = ["customer", "product"]
    search_fields = ["customer__legal_name", "deposit_account__number"]
    inlines = [InstalmentInline, TransactionInline]
    readonly_fields = ["application", "customer", "branch", "product", "currency", "deposit_account",
                       "disbursement_payment", "amount",
                       "origination_fee", "principal", "net_disbursed", "annual_rate", "term",
                       "repayment_frequency", "disbursement_date", "status", "closed_on", "disbursed_by",
                       "balances", "repay_link"]
    fields = readonly_fields

    def get_queryset(self, request):
        return loans_visible_to(request.user).select_related("customer", "product")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="owed by component")
    def balances(self, loan: Loan) -> str:
        owed = loan_balances(loan)
        rows = [("Principal", owed.principal), ("Interest", owed.interest), ("Fees", owed.fees),
                ("Penalties", owed.penalties), ("Total", owed.total),
                ("Interest accrued, unpaid", owed.interest_accrued_unpaid)]
        return format_html("<table>{}</table>", format_html_join(
            "", "<tr><td>{}</td><td style='text-align:right'>{}</td></tr>",
            ((label, format_amount(amount, loan.currency)) for label, amount in rows)))

    @admin.display(description="counter")
    def repay_link(self, loan: Loan) -> str:
        url = reverse("admin:loans_loan_repay", args=[loan.pk])
        return format_html('<a class="button" href="{}">Repay at the counter</a> '
                           '<a class="button" href="{}?payoff=1">Pay off</a>', url, url)

    def get_urls(self):
        return [path("<int:pk>/repay/", self.admin_site.admin_view(self.repay_view), name="loans_loan_repay"),
                *super().get_urls()]

    def repay_view(self, request, pk):
        """The counter's repayment form; the service checks who may take it and everything about the money."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            loan = get_visible_loan(request.user, pk)
        except DomainError:
            raise PermissionDenied from None
        day = current_business_date()
        quote = payoff_quote(loan=loan, as_of=day)
        initial = {"idempotency_key": uuid.uuid4().hex}
        if request.GET.get("payoff"):
            initial |= {"amount": quote.total, "prepayment": PrepaymentChoice.SHORTEN_TERM}
        form = CounterRepaymentForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            given = form.cleaned_data
            try:
                txn = repay_loan(loan=loan, amount=Money(given["amount"], loan.currency), actor=request.user,
                                 idempotency_key=f"counter:{request.user.pk}:{given['idempotency_key']}",
                                 prepayment=given["prepayment"])
            except (DomainError, MoneyError) as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, f"{txn.get_kind_display()} of {format_amount(txn.amount, loan.currency)} "
                                          f"taken from {loan.deposit_account.number}.")
                return HttpResponseRedirect(reverse("admin:loans_loan_change", args=[loan.pk]))
        return TemplateResponse(request, "admin/loans/loan/repay.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "original": loan, "form": form,
            "title": f"Repay {loan}", "payoff": format_amount(quote.total, loan.currency), "day": day})
