"""A synthetic scenario written to the database: real customers, accounts and journal entries (the ledger stays
clean), one monitored transaction per movement; streamed back by the batch loader, every seeded pattern is
alerted; the same scenario is not written twice."""

import datetime
import io

import pytest
from django.core.management import call_command

from apps.accounts.tests.factories import current_product
from apps.compliance.batch import default_settings, evaluate, load_contexts, load_movements
from apps.compliance.errors import ScenarioAlreadyWritten
from apps.compliance.models import ExpectedActivity, MonitoredTransaction
from apps.compliance.services.scenarios import write_scenario
from apps.compliance.synthetic import build_scenario
from apps.customers.models import Customer
from apps.ledger.integrity_checks import run_integrity_checks
from apps.ledger.models import JournalEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario():
    return build_scenario(customers=6, days=45, seed=3, each_pattern=1)


@pytest.fixture
def product(chart):
    return current_product()


def test_a_written_scenario_is_alerted_from_the_database_as_in_memory(scenario, product, teller_a):
    written = write_scenario(scenario=scenario, product=product, actor=teller_a)

    rows = MonitoredTransaction.objects.filter(customer_id__in=written.customer_ids.values())
    assert rows.count() == len(scenario.movements) and rows.filter(evaluated_at__isnull=True).count() == rows.count()
    assert all(report.problems == [] for report in run_integrity_checks())
    assert ExpectedActivity.objects.filter(customer_id__in=written.customer_ids.values()).count() == len(
        scenario.contexts)
    last = scenario.start + datetime.timedelta(days=scenario.days - 1)
    movements = list(load_movements(date_from=scenario.start, date_to=last, chunk_size=500))
    assert len(movements) == len(scenario.movements)
    contexts = load_contexts(written.customer_ids.values())
    found = evaluate(movements, default_settings(["EUR"]), contexts=contexts,
                     triggered_from=scenario.measured_from).findings
    alerted = {}
    for f in found:
        alerted.setdefault((f.finding.customer_id, f.finding.typology), set()).update(f.finding.movement_ids)
    for seeded in scenario.seeded:
        expected = {written.movement_ids[i] for i in seeded.movement_ids}
        assert expected & alerted.get((written.customer_ids[seeded.customer_id], seeded.typology), set()), seeded


def test_the_same_scenario_is_not_written_twice(scenario, product, teller_a):
    write_scenario(scenario=scenario, product=product, actor=teller_a)
    counts = (Customer.objects.count(), JournalEntry.objects.count(), MonitoredTransaction.objects.count())

    with pytest.raises(ScenarioAlreadyWritten):
        write_scenario(scenario=scenario, product=product, actor=teller_a)

    assert (Customer.objects.count(), JournalEntry.objects.count(), MonitoredTransaction.objects.count()) == counts


def test_the_command_prints_what_it_seeded(product, teller_a):
    out = io.StringIO()

    call_command("generate_aml_scenarios", actor=teller_a.username, customers=3, days=45, seed=5,
                 each_pattern=1, product=product.code, stdout=out)

    text = out.getvalue()
    assert "monitored transactions" in text and "structuring" in text and "expects rapid_movement" in text
    assert MonitoredTransaction.objects.count() > 0
