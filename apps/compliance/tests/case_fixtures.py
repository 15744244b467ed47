"""Cases as monitoring makes them: a large cash deposit through the counter, recorded and evaluated by the
large-cash typology, which raises an alert into the customer's case."""

from apps.accounts.tests.factories import deposit, open_funded_account
from apps.compliance.models import Case, TypologySetting
from apps.compliance.services.monitoring import record_and_evaluate
from apps.outbox.models import OutboxEvent


def large_cash_setting(currency: str = "EUR") -> TypologySetting:
    setting, _ = TypologySetting.objects.get_or_create(typology="large_cash", currency=currency, mode="live",
                                                       defaults={"parameters": {"amount_at_least": "10000"}})
    return setting


def alerted_case(customer, product, teller, *, amounts=("12000.00",), risk: int | None = None) -> Case:
    """The customer's case after large cash deposits of ``amounts``; ``risk`` sets its risk score (the four-eyes
    threshold is about the score, not about how it was reached)."""
    large_cash_setting()
    account = open_funded_account(customer, product, "100.00", teller=teller)
    for amount in amounts:
        deposit(account, amount, teller=teller)
        record_and_evaluate(payload=OutboxEvent.objects.filter(event_type="money.moved").latest("pk").payload)
    case = Case.objects.get(customer=customer, status__in=["open", "investigating", "escalated"])
    if risk is not None:
        Case.objects.filter(pk=case.pk).update(risk_score=risk)
        case.refresh_from_db()
    return case
