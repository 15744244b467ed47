"""Forms of the admin's counter views (cash at the counter, opening an account). They only read and check
input; the services in apps.accounts.services decide every business rule."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect

from apps.accounts.models import Account, DepositProduct, MaturityInstruction, TellerTransaction
from apps.customers.models import Customer
from apps.money import Money, MoneyError
from apps.organization.branch_scope import is_bank_wide, visible_to
from apps.organization.models import Branch, User


class CashOperationForm(forms.Form):
    """A cash deposit or withdrawal. The hidden key is made when the form is first shown, so submitting the
    same page twice replays the first operation instead of moving the money again."""

    kind = forms.ChoiceField(choices=TellerTransaction.Kind.choices, initial=TellerTransaction.Kind.DEPOSIT,
                             widget=forms.RadioSelect(attrs={"class": "radiolist inline"}))
    # A string, not a DecimalField: Money reads it and refuses what the ledger would refuse.
    amount = forms.CharField(max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 16}))
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["amount"].label = f"Amount ({currency})"
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())

    def clean_amount(self) -> Money:
        try:
            amount = Money(self.cleaned_data["amount"], self.currency)
        except MoneyError as error:
            raise forms.ValidationError(str(error), code=error.code) from None
        if not amount.is_positive:
            raise forms.ValidationError("The amount must be positive.", code="amount_not_positive")
        return amount


def branches_for(user: User):
    """The branches a staff member may open accounts in: their home branch; every branch for bank-wide roles."""
    if is_bank_wide(user):
        return Branch.objects.filter(is_active=True)
    return Branch.objects.filter(pk=user.home_branch_id, is_active=True)


class OpenAccountForm(forms.Form):
    """What ``open_account`` needs, each choice limited to what the staff member may see."""

    customer = forms.ModelChoiceField(queryset=Customer.objects.none())
    product = forms.ModelChoiceField(queryset=DepositProduct.objects.filter(is_active=True).order_by("code"))
    branch = forms.ModelChoiceField(queryset=Branch.objects.none())
    maturity_instruction = forms.ChoiceField(choices=[("", "---------"), *MaturityInstruction.choices],
                                             required=False, help_text="Term deposits only.")
    linked_account = forms.ModelChoiceField(queryset=Account.objects.none(), required=False,
                                            help_text="Term deposits paid out at maturity: an account of the same "
                                                      "customer, in the product's currency.")

    def __init__(self, *args: Any, user: User, admin_site: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields
        # The widget first: setting a queryset hands its choices to the widget in place.
        fields["customer"].widget = AutocompleteSelect(Account._meta.get_field("customer"), admin_site)
        fields["customer"].queryset = visible_to(user, Customer.objects.all())
        fields["branch"].queryset = branches_for(user)
        fields["branch"].initial = user.home_branch_id
        fields["linked_account"].widget = AutocompleteSelect(Account._meta.get_field("linked_account"), admin_site)
        fields["linked_account"].queryset = visible_to(user, Account.objects.all())


class HoldForm(forms.Form):
    """A hold to place: ``holds.place_hold`` decides whether the available balance covers it. The hidden key is
    made when the form is first shown: submitting the page twice returns the first hold."""

    amount = forms.CharField(max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 16}))
    reason = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"size": 60}),
                             help_text="Why the money is set aside (a garnishment order, a card authorisation).")
    expires_on = forms.DateField(required=False, label="Released automatically on",
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text="End of day on this date releases it. Leave empty to keep it until it is "
                                           "released by hand.")
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["amount"].label = f"Amount ({currency})"
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())

    def clean_amount(self) -> Money:
        try:
            amount = Money(self.cleaned_data["amount"], self.currency)
        except MoneyError as error:
            raise forms.ValidationError(str(error), code=error.code) from None
        if not amount.is_positive:
            raise forms.ValidationError("The amount must be positive.", code="amount_not_positive")
        return amount


class AccountReasonForm(forms.Form):
    """The reason for freezing an account or asking to unfreeze it, typed by the staff member. It is kept in
    the account's change log (history), which holds 100 characters."""

    reason = forms.CharField(max_length=100, widget=forms.TextInput(attrs={"size": 80}),
                             help_text="Recorded in the account's change log (100 characters at most).")


CASH_PAYOUT = "cash"


class ClosureForm(forms.Form):
    """Where the balance of a closing account goes: cash at the branch or another open account of the same
    customer (``lifecycle.request_closure``; ``close_account`` checks it again when the checker approves)."""

    payout_to = forms.ChoiceField(label="Pay the balance out to", widget=forms.RadioSelect)
    reason = forms.CharField(max_length=200, required=False, widget=forms.TextInput(attrs={"size": 80}),
                             help_text="Shown to the checker with the request.")

    def __init__(self, *args: Any, payout_accounts: list[Account], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["payout_to"].choices = [
            (CASH_PAYOUT, "Cash at the branch"),
            *[(account.number, f"Account {account.number} ({account.product.name})") for account in payout_accounts],
        ]
        self.fields["payout_to"].initial = payout_accounts[0].number if payout_accounts else CASH_PAYOUT


class StatementForm(forms.Form):
    """A statement for any period, as a PDF or CSV file."""

    date_from = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    format = forms.ChoiceField(choices=[("pdf", "PDF"), ("csv", "CSV (spreadsheet)")], initial="pdf",
                               widget=forms.RadioSelect(attrs={"class": "radiolist inline"}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            raise forms.ValidationError("The period starts after it ends.", code="period_reversed")
        return cleaned
