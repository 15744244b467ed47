"""What the account pages show: balances in the list, the search by number, links to statement and cash."""

from django.contrib import admin, messages
from django.utils.html import format_html

from apps.accounts.account_numbers import InvalidAccountNumber, validate_account_number
from apps.accounts.selectors import with_balances
from apps.accounts.services import teller
from apps.money import to_minor_unit


class AccountColumnsMixin:
    """The ledger balance, holds and available balance of each account (read in the list's one query), the
    search by account number, and the change page's links to the statement and the cash counter."""

    def get_queryset(self, request):
        return with_balances(super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        compact = "".join(search_term.split())
        if len(compact) >= 20 and compact[:2].isalpha():
            try:
                compact = validate_account_number(compact)
            except InvalidAccountNumber as error:
                self.message_user(request, str(error), messages.WARNING)
                return queryset.none(), False
            return queryset.filter(number=compact), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="Ledger balance", ordering="ledger_balance")
    def ledger_balance(self, account):
        return to_minor_unit(account.ledger_balance, account.product.currency)

    @admin.display(description="Held")
    def held(self, account):
        return to_minor_unit(account.held, account.product.currency)

    @admin.display(description="Available", ordering="available_balance")
    def available_balance(self, account):
        return to_minor_unit(account.available_balance, account.product.currency)

    @admin.display(description="Statement (this month)")
    def statements(self, account):
        if not account.pk:
            return "-"
        return format_html('<a href="{0}?format=csv">CSV</a> · <a href="{0}?format=pdf">PDF</a>',
                           "../statement/")

    @admin.display(description="Cash at the counter")
    def cash_operation(self, account):
        if not account.pk:
            return "-"
        return format_html('<a href="{}">Deposit or withdraw cash</a>', "../cash/")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and request.user.has_perm(teller.CASH_PERMISSION):
            fields.append("cash_operation")
        return fields
