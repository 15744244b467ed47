"""The near-real-time monitoring path under the transfer benchmark's load: does it keep up?

    .venv/bin/python bench/aml_realtime.py [--rate 200] [--seconds 60] [--senders 4] [--celery-workers 1]
                                           [--concurrency 2] [--accounts 400] [--path batched|per-event]

Transfers run at ``--rate`` per second (paced, from ``--senders`` processes calling
``transfer_between_accounts``, as bench/transfers.py does) while real Celery worker processes (``celery -A config
worker``, ``--celery-workers`` of them with ``--concurrency`` each, on the Redis broker REDIS_URL) deliver the
outbox: each transfer's ``money.moved`` event is recorded by monitoring (two rows) and evaluated by every
real-time typology the library holds, each set live with its defaults (``install_default_typology_settings``).
``--path batched`` (the default): ``money.moved`` sends no task per event (OUTBOX_BATCHED_EVENT_TYPES) and the
bench plays the beat, sending ``compliance.drain_money_movements`` every 2 s as config/schedules.py does;
``--path per-event``: the outbox's task per event, as before the batch consumer. Every second it samples the
backlog, ``money.moved`` events not yet delivered plus monitored rows not yet
evaluated, and prints it; at the end, the backlog's peak, its mean over the first and the last third of the run
(a backlog that keeps growing is a path that does not keep up), and how long the workers took to drain it.

The scratch database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/ogpgy_bench_aml) is
recreated each run; the broker database is REDIS_URL's (default redis://127.0.0.1:6379/12), purged first.
CI does not run it.
"""

import argparse
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ogpgy_bench_aml")
BROKER_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/12")
ENVIRONMENT = {
    "DATABASE_URL": BENCH_URL, "REDIS_URL": BROKER_URL, "CELERY_BROKER_URL": BROKER_URL,
    # real workers: tasks go through the broker, never run in the sender
    "CELERY_TASK_ALWAYS_EAGER": "0",
    "DJANGO_SETTINGS_MODULE": "config.test_settings", "CACHE_KEY_PREFIX": "ogpgy-bench-aml", "LOG_LEVEL": "WARNING",
}
os.environ.update(ENVIRONMENT)
if "--path" in sys.argv and sys.argv[sys.argv.index("--path") + 1] == "per-event":
    os.environ["OUTBOX_BATCHED_EVENT_TYPES"] = ""
else:
    os.environ["OUTBOX_BATCHED_EVENT_TYPES"] = "money.moved"

from baseline import recreate_database
from bench_bank import open_bench_bank, open_funded_customer_account


def set_up_bank(accounts_count: int) -> list[str]:
    branch, teller, product = open_bench_bank()
    from apps.compliance.services.typology_defaults import install_default_typology_settings

    settings = install_default_typology_settings(currency="EUR", actor=teller)
    print(f"typologies live (defaults): {', '.join(s.typology for s in settings)}")
    started = time.monotonic()
    numbers = [open_funded_customer_account(i, branch=branch, teller=teller, product=product).number
               for i in range(accounts_count)]
    print(f"set-up: {accounts_count} verified customers with funded accounts in {time.monotonic() - started:.0f} s")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return numbers


def delivered() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM outbox_outboxevent WHERE state = 'delivered' AND event_type = %s",
                       ["money.moved"])
        return cursor.fetchone()[0]


def play_beat(stop: threading.Event, period: float = 2.0) -> None:
    """What beat does with the installed schedule: send the drain every ``period`` seconds."""
    from config.celery import app

    while not stop.wait(period):
        app.send_task("compliance.drain_money_movements")


def backlog() -> tuple[int, int, int]:
    """(money.moved events not delivered, monitored rows not evaluated, transfers so far)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM outbox_outboxevent WHERE state <> 'delivered' AND event_type = %s",
                       ["money.moved"])
        undelivered = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM compliance_monitoredtransaction WHERE evaluated_at IS NULL")
        unevaluated = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM payments_transfer")
        transfers = cursor.fetchone()[0]
    return undelivered, unevaluated, transfers


def _sender(index, senders, numbers, rate, start_at, stop_at, results):
    from django.db import connection

    from apps.domain_errors import DomainError
    from apps.money import Money
    from apps.organization.models import User
    from apps.payments.models import Channel
    from apps.payments.services.transfers import transfer_between_accounts

    rng = random.Random(index)
    initiator = User.objects.get(username="bench.teller")
    interval = senders / rate  # this sender's share of the rate
    done = refused = late = 0
    n = 0
    while True:
        due = start_at + (n * senders + index) / rate
        if due >= stop_at or time.monotonic() >= stop_at:  # a sender behind the pace stops on time too
            break
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        elif wait < -interval:
            late += 1
        payer, payee = rng.sample(numbers, 2)
        try:
            transfer_between_accounts(
                from_account_number=payer, to_account_number=payee,
                money=Money(f"{rng.randint(100, 20000) / 100:.2f}", "EUR"), channel=Channel.API,
                initiated_by=initiator, idempotency_key=f"aml-{index}-{n}")
            done += 1
        except DomainError:
            refused += 1
        n += 1
    connection.close()
    results.put((done, refused, late))


CELERY = str(Path(sys.executable).with_name("celery"))


def purge_broker() -> None:
    """Before the set-up: the set-up's own deliveries stay queued for the workers."""
    subprocess.run([CELERY, "-A", "config", "purge", "-f"], cwd=ROOT, env=os.environ, check=True,
                   stdout=subprocess.DEVNULL)


def start_workers(count: int, concurrency: int) -> list[subprocess.Popen]:
    celery = CELERY
    return [subprocess.Popen([celery, "-A", "config", "worker", "--pool", "prefork", "-c", str(concurrency),
                              "-n", f"aml-bench-{i}@%h", "-l", "WARNING", "--without-gossip", "--without-mingle"],
                             cwd=ROOT, env=os.environ, start_new_session=True)
            for i in range(count)]


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


def wait_for_drain(limit: float, label: str) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        undelivered, unevaluated, _ = backlog()
        if undelivered + unevaluated == 0:
            return time.monotonic() - started
        time.sleep(0.5)
    print(f"{label}: backlog not drained after {limit:.0f} s: {backlog()[:2]}")
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=200.0, help="transfers per second to offer")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--celery-workers", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--accounts", type=int, default=400)
    parser.add_argument("--path", choices=["batched", "per-event"], default="batched")
    options = parser.parse_args()
    recreate_database(BENCH_URL)
    purge_broker()
    numbers = set_up_bank(options.accounts)
    workers = start_workers(options.celery_workers, options.concurrency)
    beat_stop = threading.Event()
    if options.path == "batched":
        threading.Thread(target=play_beat, args=(beat_stop,), daemon=True).start()
    print(f"path: {options.path}")
    try:
        drained = wait_for_drain(300, "set-up")
        if drained is not None:
            print(f"workers: {options.celery_workers} x {options.concurrency} processes; the set-up's "
                  f"{options.accounts} deposits monitored in {drained:.1f} s")
        print(f"load average before the run: {os.getloadavg()[0]:.2f} (two cores; other processes count too)")
        from django.db import connection

        connection.close()
        context = multiprocessing.get_context("fork")
        results = context.Queue()
        start_at = time.monotonic() + 1.0
        stop_at = start_at + options.seconds
        senders = [context.Process(target=_sender, args=(i, options.senders, numbers, options.rate, start_at,
                                                         stop_at, results)) for i in range(options.senders)]
        for sender in senders:
            sender.start()
        samples = []
        _, _, transfers_before = backlog()
        previous = transfers_before
        delivered_before = previous_delivered = delivered()
        print(f"{'t (s)':>6} {'transfers/s':>12} {'delivered/s':>12} {'undelivered':>12} {'unevaluated':>12} "
              f"{'backlog':>8}")
        next_sample = start_at + 1.0
        while time.monotonic() < stop_at + 0.5:
            time.sleep(max(next_sample - time.monotonic(), 0))
            undelivered, unevaluated, transfers = backlog()
            delivered_now = delivered()
            t = next_sample - start_at
            samples.append((t, undelivered + unevaluated))
            print(f"{t:6.0f} {transfers - previous:12d} {delivered_now - previous_delivered:12d} {undelivered:12d} "
                  f"{unevaluated:12d} {undelivered + unevaluated:8d}", flush=True)
            previous, previous_delivered = transfers, delivered_now
            next_sample += 1.0
        outcomes = [results.get() for _ in senders]
        for sender in senders:
            sender.join()
        done = sum(o[0] for o in outcomes)
        refused = sum(o[1] for o in outcomes)
        late = sum(o[2] for o in outcomes)
        after = time.monotonic()
        delivered_in_run = delivered() - delivered_before
        drain = wait_for_drain(300, "run")
        drain_from_stop = None if drain is None else drain + (after - stop_at)
        values = [b for _, b in samples]
        third = max(len(values) // 3, 1)
        print(f"offered {options.rate:.0f} transfers/s for {options.seconds} s: {done} transfers "
              f"({done / options.seconds:.0f}/s), {refused} refused, {late} sent late; {delivered_in_run} events "
              f"delivered during the run ({delivered_in_run / (after - start_at):.0f}/s, "
              f"{delivered_in_run / max(done, 1):.2f} per transfer done)")
        print(f"backlog: peak {max(values)}, mean over the first third {sum(values[:third]) / third:.1f}, "
              f"over the last third {sum(values[-third:]) / third:.1f}; drained "
              + (f"{drain_from_stop:.1f} s after the last transfer" if drain_from_stop is not None else "never"))
        from apps.compliance.models import Alert, MonitoredTransaction

        print(f"monitored rows: {MonitoredTransaction.objects.count()}, alerts: {Alert.objects.count()}; "
              f"load average at the end: {os.getloadavg()[0]:.2f}")
    finally:
        beat_stop.set()
        stop_workers(workers)


if __name__ == "__main__":
    main()
