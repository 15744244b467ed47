"""What the account list shows: balances in the currency's format, right-aligned, and its search (by number,
the start of a number, customer number or customer name; each one indexed lookup, config/admin_search.py)."""

from django.contrib import admin, messages

from apps.accounts.account_numbers import InvalidAccountNumber, validate_account_number
from apps.accounts.models import AccountHolder
from apps.accounts.selectors import with_balances
from apps.organization.branch_scope import is_bank_wide
from config.admin_money import money_cell
from config.admin_search import compact, looks_like_account_number_prefix, row_number, starting_with


class AccountColumnsMixin:
    """The ledger balance, holds and available balance of each account (read in the list's one query) and the
    search."""

    def get_list_display(self, request):
        """What fits at 1440 px beside the filters: the branch only for those who see more than their own."""
        columns = ["number", "customer", "product_name", "status", "ledger_balance", "held", "available_balance"]
        return [*columns, "branch_code"] if is_bank_wide(request.user) else columns

    @admin.display(description="Product", ordering="product__name")
    def product_name(self, account):
        return account.product.name

    @admin.display(description="Branch", ordering="branch__code")
    def branch_code(self, account):
        return account.branch.code

    def get_queryset(self, request):
        return with_balances(super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        """A whole account number (spaces allowed): that account; the start of one (``PT50 BENC``): the accounts
        whose number starts so; digits: the accounts the customer with that number holds; anything else: the accounts
        of customers whose name contains it. A whole number whose check digits are wrong is refused."""
        term = search_term.strip()
        if not term:
            return queryset, False
        number = compact(term)
        if len(number) >= 20 and number[:2].isalpha():
            try:
                number = validate_account_number(number)
            except InvalidAccountNumber as error:
                self.message_user(request, str(error), messages.WARNING)
                return queryset.none(), False
            return queryset.filter(number=number), False
        if looks_like_account_number_prefix(term):
            return queryset.filter(starting_with("number", number)), False
        customer_number = row_number(term)
        if customer_number is not None:
            held = AccountHolder.objects.filter(customer_id=customer_number).values("account_id")
            return queryset.filter(pk__in=held), False
        return queryset.filter(customer__legal_name__icontains=term), False

    @admin.display(description="Ledger balance", ordering="ledger_balance")
    def ledger_balance(self, account):
        return money_cell(account.ledger_balance, account.product.currency)

    @admin.display(description="Held")
    def held(self, account):
        return money_cell(account.held, account.product.currency)

    @admin.display(description="Available", ordering="available_balance")
    def available_balance(self, account):
        return money_cell(account.available_balance, account.product.currency)
