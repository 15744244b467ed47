"""Where the CPU of one ``POST /api/v1/transfers/`` goes, in one process (issue 15: "profile first").

    .venv/bin/python bench/profile_transfer_request.py [--customers 50] [--requests 400]

Sets up a scratch database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/ogpgy_bench_profile)
as bench/http_transfers.py does (verified customers, funded accounts, API tokens), then calls the production
WSGI application (``config.wsgi.application``, production settings, DEBUG=0) in this process with WSGI environs
built by hand: no server, no socket, the whole Django/DRF request around the transfer service. It prints:

- the CPU time of this process per request (``time.process_time``; PostgreSQL's own CPU is not in it), and the
  CPU of the same transfers through the service alone (``transfer_between_accounts``), in the same run, so the
  request's share is a ratio, not an absolute figure on a noisy machine;
- where it goes: the CPU of each layer a request crosses, measured by timers put around each layer's entry points
  in this process only (the token authentication, the idempotency key's fingerprint, claim and completion, the
  throttles, the order's parsing and validation, the transfer service, the response's serialization and
  rendering). Each layer counts its own time, not the layers it calls; what is left is Django and DRF around
  them: the middleware chain, URL resolving, the view's dispatch, the handler. The layers add up to the request;
- the 25 functions with the most own time (cProfile) over the same requests.

``money.moved`` is delivered as production delivers it (batched by the beat, outside the request), so the
request does not include monitoring. CI does not run it.
"""

import argparse
import cProfile
import io
import itertools
import json
import os
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ogpgy_bench_profile")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
os.environ.update({
    "DEBUG": "0", "SECRET_KEY": "bench-only-secret-key-" + "p" * 40, "DATABASE_URL": BENCH_URL,
    "REDIS_URL": REDIS_URL, "CELERY_BROKER_URL": REDIS_URL, "CELERY_TASK_ALWAYS_EAGER": "1",
    "OUTBOX_BATCHED_EVENT_TYPES": "money.moved", "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0", "OGPGY_READ_DOT_ENV": "0", "THROTTLE_USER": "1000000/minute",
    "THROTTLE_ANON": "1000000/minute", "LOG_LEVEL": "WARNING", "CACHE_KEY_PREFIX": "ogpgy-bench-profile",
    "DJANGO_SETTINGS_MODULE": "config.settings",
})

from baseline import recreate_database
from bench_bank import open_bench_bank, open_funded_customer_account

# The layers a transfer request crosses: (layer, module, attribute path of the entry point).
LAYERS = [
    ("authentication (knox token)", "knox.auth", "TokenAuthentication.authenticate"),
    ("idempotency: fingerprint", "config.api.idempotency", "request_fingerprint"),
    ("idempotency: claim the key", "config.api.idempotency", "_claim"),
    ("idempotency: store the answer", "config.api.idempotency", "_complete"),
    ("throttling", "rest_framework.views", "APIView.check_throttles"),
    ("parsing the JSON body", "rest_framework.request", "Request._parse"),
    ("validating the order (serializer)", "rest_framework.serializers", "Serializer.is_valid"),
    ("the transfer service (submit_transfer)", "apps.payments.api.views", "submit_transfer"),
    ("the answer's serialization", "rest_framework.serializers", "Serializer.data"),
    ("rendering the answer (JSON)", "rest_framework.renderers", "JSONRenderer.render"),
]
AROUND = "Django and DRF around them (middleware, URL resolving, dispatch, the handler)"


class LayerTimers:
    """CPU of each layer, without the layers it calls: each timer gives its nested timers' time back."""

    def __init__(self):
        self.spent = defaultdict(float)
        self._stack: list[float] = []

    def timed(self, layer, function):
        def timer(*args, **kwargs):
            started = time.process_time()
            self._stack.append(0.0)
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.process_time() - started
                nested = self._stack.pop()
                self.spent[layer] += elapsed - nested
                if self._stack:
                    self._stack[-1] += elapsed
        return timer

    def install(self):
        import importlib

        for layer, module_name, path in LAYERS:
            owner = importlib.import_module(module_name)
            *parents, name = path.split(".")
            for parent in parents:
                owner = getattr(owner, parent)
            if isinstance(owner, type):  # the class that defines it, up the MRO
                owner = next(cls for cls in owner.__mro__ if name in cls.__dict__)
            original = owner.__dict__[name]
            if isinstance(original, property):
                setattr(owner, name, property(self.timed(layer, original.fget)))
            else:
                setattr(owner, name, self.timed(layer, original))


def set_up(count: int) -> list[dict]:
    branch, teller, product = open_bench_bank()
    from apps.organization.api_tokens import issue_api_token
    from apps.organization.models import User

    people = []
    for i in range(count):
        user = User.objects.create_user(username=f"bench.customer{i}")
        account = open_funded_customer_account(i, branch=branch, teller=teller, product=product, user=user)
        people.append({"account": account, "user": user, "token": issue_api_token(user=user)[1]})
    return people


def environ(payer: dict, payee: dict, key: str) -> dict:
    body = json.dumps({"from_account": payer["account"].number, "to_account": payee["account"].number,
                       "amount": "1.25", "currency": "EUR"}).encode()
    return {"REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/transfers/", "QUERY_STRING": "", "SCRIPT_NAME": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8811", "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "127.0.0.1",
            "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr, "wsgi.multithread": False,
            "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0),
            "HTTP_AUTHORIZATION": f"Token {payer['token']}", "HTTP_IDEMPOTENCY_KEY": key, "REMOTE_ADDR": "127.0.0.1"}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--requests", type=int, default=400)
    options = parser.parse_args()
    recreate_database(BENCH_URL)
    people = set_up(options.customers)
    from config.wsgi import application

    pairs = itertools.cycle([(a, b) for a in people for b in people if a is not b])
    keys = (f"profile-{n}" for n in itertools.count())
    statuses = defaultdict(int)

    def answered(status, headers, exc_info=None):
        statuses[status.split()[0]] += 1

    def run_requests(n: int) -> None:
        for _ in range(n):
            payer, payee = next(pairs)
            b"".join(application(environ(payer, payee, next(keys)), answered))

    from apps.money import Money
    from apps.payments.services.transfers import transfer_between_accounts

    def run_service(n: int) -> None:
        for _ in range(n):
            payer, payee = next(pairs)
            transfer_between_accounts(from_account_number=payer["account"].number,
                                      to_account_number=payee["account"].number, money=Money("1.25", "EUR"),
                                      idempotency_key=next(keys), initiated_by=payer["user"])

    run_requests(50)  # warm: connections, prepared statements, imports
    started = time.process_time()
    run_requests(options.requests)
    request_cpu = (time.process_time() - started) / options.requests * 1000
    run_service(20)
    started = time.process_time()
    run_service(options.requests)
    service_cpu = (time.process_time() - started) / options.requests * 1000

    timers = LayerTimers()
    timers.install()
    whole = timers.timed(AROUND, run_requests)
    whole(options.requests)
    print(f"{options.requests} requests after 50 warm-up ones, answers {dict(statuses)}")
    print(f"CPU of this process per request: {request_cpu:.2f} ms; the transfer service alone: {service_cpu:.2f} ms "
          f"(ratio {request_cpu / service_cpu:.2f}); PostgreSQL's own CPU is in neither")
    total = sum(timers.spent.values())
    print(f"Per layer, with timers ({total / options.requests * 1000:.2f} ms a request, the timers' cost included):")
    for layer in [layer for layer, _, _ in LAYERS] + [AROUND]:
        share = timers.spent[layer]
        print(f"  {share / total:6.1%}  {share / options.requests * 1000:6.2f} ms  {layer}")
    profiler = cProfile.Profile()
    profiler.enable()
    run_requests(options.requests)
    profiler.disable()
    out = io.StringIO()
    print("cProfile, the 25 functions with the most own time:")
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
    print(out.getvalue())


if __name__ == "__main__":
    main()
