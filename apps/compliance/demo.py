"""Demo compliance: every typology of the library live in the demo bank's currency, with its default thresholds,
and one case in the officers' queue."""

import datetime

from apps.accounts.models import Account, ProductKind
from apps.accounts.services.teller import cash_deposit
from apps.compliance.models import Alert, Case
from apps.compliance.services.cases import add_case_note, assign_case, start_investigating
from apps.compliance.services.ctr import aggregate_ctrs, ctr_business_date
from apps.compliance.services.monitoring import record_and_evaluate
from apps.compliance.services.sar import draft_sar
from apps.compliance.services.typology_defaults import install_default_typology_settings
from apps.ledger.money_movements import MONEY_MOVED
from apps.money import Money
from apps.organization.models import User
from apps.organization.selectors import holidays_between
from apps.outbox.models import OutboxEvent

CURRENCY = "EUR"
DEMO_CASH = "12500.00"


def seed_typology_settings(out) -> None:
    actor = User.objects.filter(is_superuser=True).order_by("pk").first()
    created = install_default_typology_settings(currency=CURRENCY, actor=actor)
    out.write(f"compliance: {len(created)} typology settings installed in {CURRENCY} (defaults)\n")


def seed_aml_case(out) -> None:
    """A living queue for the demo's compliance officers: a large cash deposit at the counter, recorded and
    evaluated by monitoring as the outbox would deliver it, the alert in a case assigned and under investigation
    with a note, the customer's cash in the CTR register, and a SAR drafted from the case. Only once."""
    if Alert.objects.exists():
        return
    account = (Account.objects.filter(status=Account.Status.ACTIVE, product__kind=ProductKind.CURRENT,
                                      product__currency=CURRENCY, customer__kyc_status="verified",
                                      customer__status="active")
               .select_related("customer", "branch").order_by("pk").first())
    officer = User.objects.filter(username__startswith="compliance.").order_by("pk").first()
    if account is None or officer is None:
        return
    branch = account.branch.code.lower()
    teller, manager = (User.objects.get(username=f"teller.{branch}"), User.objects.get(username=f"manager.{branch}"))
    receipt = cash_deposit(account=account, amount=Money(DEMO_CASH, CURRENCY), teller=teller,
                           idempotency_key="demo-aml-large-cash", approved_by=manager)
    event = OutboxEvent.objects.filter(event_type=MONEY_MOVED, aggregate_id=str(receipt.entry_id)).get()
    (row,) = record_and_evaluate(payload=event.payload)
    case = Case.objects.filter(customer=account.customer).order_by("-pk").first()
    if case is None:  # the large-cash setting was switched off: nothing to investigate
        return
    assign_case(case=case, assignee=officer, actor=officer)
    start_investigating(case=case, actor=officer)
    add_case_note(case=case, actor=officer,
                  text="Customer says the cash is the proceeds of a car sale; asked for the sale contract.")
    holidays = holidays_between(row.business_date, row.business_date + datetime.timedelta(days=14))
    aggregate_ctrs(business_date=ctr_business_date(business_date=row.business_date, occurred_at=row.occurred_at,
                                                   holidays=holidays))
    draft_sar(case=case, actor=officer,
              reason=f"Cash deposit of {DEMO_CASH} {CURRENCY} at the counter, far above the customer's usual "
                     "movements; the source of the funds is not yet documented.")
    out.write(f"compliance: case {case.pk} for {account.customer.legal_name} (large cash {DEMO_CASH} {CURRENCY}), "
              f"assigned to {officer.username}, with a CTR entry and a draft SAR\n")
