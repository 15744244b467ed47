"""The accounts section of the customer page: every account the customer holds (primary or joint), with its
ledger and available balance in its currency's format, each a link to the account's page."""

from django.db.models import OuterRef, Subquery

from apps.accounts.models import Account, AccountHolder
from apps.accounts.selectors import with_balances
from apps.customers.customer_page import CustomerPageSection, register_customer_page_section


def customer_accounts(customer) -> list[tuple[Account, str]]:
    """The customer's accounts with their balances and the customer's role on each, in one query."""
    role = AccountHolder.objects.filter(account=OuterRef("pk"), customer_id=customer.pk).values("role")[:1]
    accounts = (with_balances(Account.objects.filter(holder_links__customer_id=customer.pk))
                .annotate(holder_role=Subquery(role)).order_by("number"))
    roles = dict(AccountHolder.Role.choices)
    return [(account, roles.get(account.holder_role, "")) for account in accounts]


def accounts_section(request, customer) -> CustomerPageSection | None:
    if not request.user.has_perm("accounts.view_account"):
        return None
    return CustomerPageSection(title="Accounts", template="admin/accounts/customer_page_accounts.html",
                               anchor="accounts", context={"accounts": customer_accounts(customer)})


register_customer_page_section("accounts.accounts", accounts_section, order=100)
