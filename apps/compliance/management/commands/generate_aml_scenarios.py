"""Write a synthetic bank with seeded laundering patterns into the database (apps/compliance/synthetic.py for
what it draws, apps/compliance/services/scenarios.py for how it is written), then print what was seeded.

    manage.py generate_aml_scenarios --actor ops.admin [--customers 200] [--days 60] [--seed 7]
                                     [--each-pattern 1] [--product CUR] [--start 2026-06-01]

Needs the bank installed (``seed_demo``, or the chart and a deposit product in EUR with no opening minimum) and
an acting staff user who may onboard customers and open accounts at their branch (a teller). About 90 movements
per customer per 60 days, written at about 130 a second with the onboarding (every movement a journal entry).
"""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from apps.compliance.services.scenarios import product_for, write_scenario
from apps.compliance.synthetic import build_scenario
from apps.domain_errors import DomainError
from apps.organization.models import User


class Command(BaseCommand):
    help = "Write a synthetic bank with seeded laundering patterns as monitored transactions."

    def add_arguments(self, parser):
        parser.add_argument("--actor", required=True, help="Username of the staff member writing it.")
        parser.add_argument("--customers", type=int, default=200, help="Ordinary customers (suspects come on top).")
        parser.add_argument("--days", type=int, default=60)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--each-pattern", type=int, default=1, help="Seeded instances of each pattern.")
        parser.add_argument("--product", default=None, help="Deposit product code (default: a current account).")
        parser.add_argument("--start", default="2026-06-01", help="First day of the scenario (ISO date).")
        parser.add_argument("--currency", default="EUR")

    def handle(self, *args, **options):
        actor = User.objects.filter(username=options["actor"]).first()
        if actor is None:
            raise CommandError(f"No user {options['actor']!r}.")
        product = product_for(options["currency"], options["product"])
        if product is None:
            raise CommandError(f"No active {options['currency']} deposit product without an opening minimum.")
        try:
            scenario = build_scenario(customers=options["customers"], days=options["days"], seed=options["seed"],
                                      each_pattern=options["each_pattern"], currency=options["currency"],
                                      start=datetime.date.fromisoformat(options["start"]))
        except ValueError as error:
            raise CommandError(str(error)) from error
        started = time.perf_counter()
        try:
            written = write_scenario(scenario=scenario, product=product, actor=actor)
        except DomainError as error:
            raise CommandError(str(error)) from error
        elapsed = time.perf_counter() - started
        last = scenario.start + datetime.timedelta(days=scenario.days - 1)
        self.stdout.write(
            f"Scenario {written.label}: {len(written.customer_ids):,} customers ({len(scenario.suspect_ids)} "
            f"seeded), {len(written.account_ids):,} accounts on {product.code}, {written.entries:,} journal entries, "
            f"{len(written.movement_ids):,} monitored transactions {scenario.start} to {last}, in {elapsed:.0f} s.")
        self.stdout.write(f"Alerts count from {scenario.measured_from} (the days before are history). Seeded:")
        for seeded in scenario.seeded:
            self.stdout.write(f"  {seeded.pattern:<22} customer #{written.customer_ids[seeded.customer_id]:<7} "
                              f"expects {seeded.typology:<22} transactions "
                              f"{', '.join(str(written.movement_ids[i]) for i in seeded.movement_ids)}")
        self.stdout.write("Not evaluated yet: run a backtest over the range, or the end of day for its dates.")
