"""*Disburse* on an approved application's page in the admin: the loan officer picks one of the borrower's open
deposit accounts in the loan's currency, and whether the loan is paid into it or out to another bank (the
creditor's name, IBAN, BIC, country and the rail; the account is then the one it is repaid from), sees what is
paid out and the fee, and confirms; ``disburse_loan`` / ``disburse_loan_by_payment`` decide who may and book the
loan, and the page goes on to the new loan's. A hidden idempotency key, one per
form shown, makes a double submit one disbursement (the service books one loan per application whatever the
key; the key is the disbursement transaction's). A refusal is shown on the form and nothing is written."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from apps.accounts.models import Account
from apps.domain_errors import DomainError
from apps.loans.models import LoanApplication
from apps.loans.services.disbursement import (
    application_schedule,
    disburse_loan,
    disburse_loan_by_payment,
    receiving_accounts,
)
from apps.money import format_amount
from apps.organization.selectors import current_business_date
from apps.payments.models import Rail
from config.admin_operations import operation_page

INTO_ACCOUNT, TO_ANOTHER_BANK = "account", "other_bank"
PAYOUT_FIELDS = ("creditor_name", "creditor_account", "creditor_country", "rail")


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, account: Account) -> str:
        return (f"{account.number} · {account.product.name} · "
                f"{format_amount(account.ledger_account.balance, account.ledger_account.currency)}")


class DisburseForm(forms.Form):
    deposit_account = AccountChoiceField(queryset=Account.objects.none(), empty_label=None,
                                         help_text="The borrower's open accounts in the loan's currency: the loan is "
                                                   "repaid from it, and paid into it unless paid out to another bank.")
    paid_to = forms.ChoiceField(choices=[(INTO_ACCOUNT, "Into this account"),
                                         (TO_ANOTHER_BANK, "Out to another bank (the creditor below)")],
                                initial=INTO_ACCOUNT, required=False, widget=forms.RadioSelect, label="Pay the loan")
    creditor_name = forms.CharField(max_length=140, required=False)
    creditor_account = forms.CharField(max_length=42, required=False, label="Creditor IBAN")
    creditor_bic = forms.CharField(max_length=11, required=False, label="Creditor bank's BIC")
    creditor_country = forms.CharField(max_length=2, required=False, help_text="Two letters, e.g. PT.")
    rail = forms.ChoiceField(choices=Rail.choices, initial=Rail.SAME_DAY, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, application: LoanApplication, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deposit_account"].queryset = receiving_accounts(application)
        self.fields["idempotency_key"].initial = uuid.uuid4().hex

    def clean(self):
        data = super().clean()
        if data.get("paid_to") == TO_ANOTHER_BANK:
            for name in PAYOUT_FIELDS:
                if not data.get(name):
                    self.add_error(name, "Needed to pay the loan out to another bank.")
        return data


def disbursement_facts(application: LoanApplication, day) -> list[tuple[str, str]]:
    """What the loan officer confirms: the schedule as disbursed today — the payout, the fee and the principal."""
    schedule = application_schedule(application, disbursement_date=day)
    currency = application.currency
    first = schedule.instalments[0]
    return [("Disbursement date", str(day)),
            ("Paid out", format_amount(schedule.net_disbursed, currency)),
            ("Origination fee", f"{format_amount(schedule.origination_fee, currency)} "
                                f"({application.product.get_fee_treatment_display().lower()})"),
            ("Principal to repay", format_amount(schedule.principal, currency)),
            ("First instalment", f"{format_amount(first.total, currency)} due {first.due_date}")]


def disburse_page(model_admin: ModelAdmin, request: HttpRequest, application: LoanApplication, *,
                  facts: list[tuple[str, str]]) -> HttpResponse:
    change_url = reverse("admin:loans_loanapplication_change", args=[application.pk])
    form = DisburseForm(request.POST if request.method == "POST" else None, application=application)
    if form.is_bound and form.is_valid():
        chosen = form.cleaned_data
        account, key = chosen["deposit_account"], f"admin:{request.user.pk}:{chosen['idempotency_key']}"
        try:
            if chosen.get("paid_to") == TO_ANOTHER_BANK:
                loan = disburse_loan_by_payment(
                    application=application, repayment_account=account, creditor_name=chosen["creditor_name"],
                    creditor_account=chosen["creditor_account"], creditor_bic=chosen["creditor_bic"],
                    creditor_country=chosen["creditor_country"], rail=chosen["rail"], actor=request.user,
                    idempotency_key=key)
                paid = f"paid out to {loan.disbursement_payment.creditor_account} ({loan.disbursement_payment})"
            else:
                loan = disburse_loan(application=application, deposit_account=account, actor=request.user,
                                     idempotency_key=key)
                paid = f"paid into {account.number}"
        except DomainError as refused:
            form.add_error(None, str(refused))
        else:
            done = (f"Application {application.pk} was already disbursed: {loan}." if loan.replayed else
                    f"{loan} is disbursed: {format_amount(loan.net_disbursed, loan.currency)} {paid}.")
            model_admin.message_user(request, done, messages.WARNING if loan.replayed else messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:loans_loan_change", args=[loan.pk]))
    return operation_page(model_admin, request, form=form, obj=application, title="Disburse the loan",
                          submit_label="Disburse", cancel_url=change_url,
                          intro="The loan is booked today and its schedule fixed; the money is paid into the "
                                "account you pick, or out to another bank (the loan is active once the payment "
                                "settles, cancelled if it is rejected or returned).",
                          facts=facts + disbursement_facts(application, current_business_date()))
