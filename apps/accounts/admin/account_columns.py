"""What the account list shows: balances in the currency's format, right-aligned, and the search by number."""

from django.contrib import admin, messages

from apps.accounts.account_numbers import InvalidAccountNumber, validate_account_number
from apps.accounts.selectors import with_balances
from apps.organization.branch_scope import is_bank_wide
from config.admin_money import money_cell


class AccountColumnsMixin:
    """The ledger balance, holds and available balance of each account (read in the list's one query) and the
    search by account number."""

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
        return money_cell(account.ledger_balance, account.product.currency)

    @admin.display(description="Held")
    def held(self, account):
        return money_cell(account.held, account.product.currency)

    @admin.display(description="Available", ordering="available_balance")
    def available_balance(self, account):
        return money_cell(account.available_balance, account.product.currency)
