"""The whole typology library over a synthetic bank of about 1,000,000 transactions, in batch mode.

    .venv/bin/python bench/aml.py [--transactions 1000000] [--days 90] [--seed 7] [--each-pattern 20]

Builds the bank in memory (apps.compliance.synthetic: ordinary customers with their habits and seeded laundering
patterns; as many customers as it takes to reach --transactions), then runs every typology of the library with
its default parameters through ``apps.compliance.batch.evaluate`` (one sort, grouped by customer and currency,
each typology's one-pass scan per group): the same scans the near-real-time path, the end of day and a backtest
run. Prints, in one process:
(a) a bare pass over the movements (reading each one's amount and time): the floor any evaluation stands on;
(b) the library in one process, and per typology;
(c) the library on two processes (the groups split between two forked workers; this machine has two cores);
with transactions evaluated per second, the ratio to the 3,000 tx/s target (Tazama's design figure) and what
was detected: seeded patterns alerted by their typology, alerts on ordinary customers. No database.
Not a test: CI does not run it; this machine is shared and noisy, hence the bare pass measured beside it.
"""

import argparse
import collections
import gc
import math
import multiprocessing
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

import django

django.setup()

from apps.compliance.batch import default_settings, evaluate, evaluate_groups, group_movements
from apps.compliance.synthetic import build_scenario

TARGET = 3000
_SHARED = {}


def bare_pass(movements):
    total, latest = 0, None
    for m in movements:
        total += m.amount
        latest = m.occurred_at
    return total, latest


def _evaluate_share(share):
    groups, settings, contexts, triggered_from = (_SHARED[k] for k in ("groups", "settings", "contexts", "from"))
    keys = list(groups)[share::2]
    result = evaluate_groups({k: groups[k] for k in keys}, settings, contexts=contexts, triggered_from=triggered_from)
    return [(f.finding.customer_id, f.finding.typology, f.finding.movement_ids) for f in result.findings]


def detection(scenario, found):
    alerted = collections.defaultdict(set)
    for customer_id, code, movement_ids in found:
        alerted[(customer_id, code)].update(movement_ids)
    hit = sum(bool(set(s.movement_ids) & alerted[(s.customer_id, s.typology)]) for s in scenario.seeded)
    ordinary = set(scenario.ordinary_customer_ids())
    false_alerts = collections.Counter(code for customer_id, code, _ in found if customer_id in ordinary)
    return hit, false_alerts, len(ordinary)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transactions", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--each-pattern", type=int, default=20, help="Seeded instances of each pattern.")
    arguments = parser.parse_args()

    sample = build_scenario(customers=400, days=arguments.days, seed=arguments.seed, each_pattern=0)
    per_customer = len(sample.movements) / 400
    customers = math.ceil(arguments.transactions / per_customer)
    started = time.perf_counter()
    scenario = build_scenario(customers=customers, days=arguments.days, seed=arguments.seed,
                              each_pattern=arguments.each_pattern)
    built = time.perf_counter() - started
    movements = scenario.movements
    count = len(movements)
    settings = default_settings([scenario.currency])
    print(f"bank: {customers:,} ordinary customers + {len(scenario.suspect_ids):,} seeded, {arguments.days} days, "
          f"seed {arguments.seed}: {count:,} transactions built in {built:.1f} s; {len(settings)} typologies, "
          f"default parameters; alerts counted from {scenario.measured_from}")

    started = time.perf_counter()
    bare_pass(movements)
    bare = time.perf_counter() - started
    print(f"(a) bare pass over the movements: {bare:.2f} s ({count / bare:,.0f} tx/s)")

    started = time.perf_counter()
    result = evaluate(movements, settings, contexts=scenario.contexts, triggered_from=scenario.measured_from)
    whole = time.perf_counter() - started
    found = [(f.finding.customer_id, f.finding.typology, f.finding.movement_ids) for f in result.findings]
    print(f"(b) library, one process: {whole:.1f} s, {count / whole:,.0f} tx/s, {count / whole / TARGET:.1f}x the "
          f"{TARGET:,} tx/s target; {whole / bare:.0f}x the bare pass; {len(found):,} findings")

    started = time.perf_counter()
    groups = group_movements(movements)
    grouped = time.perf_counter() - started
    parts = [f"sort and group {grouped:.1f} s"]
    for setting in settings:
        started = time.perf_counter()
        evaluate_groups(groups, [setting], contexts=scenario.contexts)
        parts.append(f"{setting.typology.code} {time.perf_counter() - started:.1f} s")
    print("    per typology: " + ", ".join(parts))

    _SHARED.update(groups=groups, settings=settings, contexts=scenario.contexts, **{"from": scenario.measured_from})
    # The workers share the parent's movements copy-on-write; a collection in a worker walking the million
    # objects would copy every page they sit on. Freezing them keeps the collector away from them.
    gc.freeze()
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(2) as pool:
        shares = pool.map(_evaluate_share, [0, 1])
    two = time.perf_counter() - started + grouped
    print(f"(c) library, two processes (sort and group, then the groups split): {two:.1f} s, {count / two:,.0f} "
          f"tx/s, {count / two / TARGET:.1f}x the target; {sum(map(len, shares)):,} findings")

    hit, false_alerts, ordinary = detection(scenario, found)
    print(f"detected: {hit}/{len(scenario.seeded)} seeded patterns alerted by their typology; "
          f"{sum(false_alerts.values()):,} alerts on {ordinary:,} ordinary customers "
          f"({100 * sum(false_alerts.values()) / ordinary:.2f} per 100): {dict(sorted(false_alerts.items()))}")


if __name__ == "__main__":
    main()
