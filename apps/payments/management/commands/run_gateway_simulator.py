"""Run the local VelocityPay simulator (apps/payments/gateway/simulator.py) until interrupted."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from apps.payments.gateway.simulator import SimulatedGateway, SimulatorServer


class Command(BaseCommand):
    help = "Serve a local VelocityPay gateway on 127.0.0.1 that accepts payments and settles them by webhook."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--webhook-url", default="http://127.0.0.1:8000/api/v1/gateways/velocitypay/webhooks/")
        parser.add_argument("--settle-after", type=float, default=2.0,
                            help="Seconds after acceptance when the settlement webhook is sent.")

    def handle(self, *args, **options):
        gateway = SimulatedGateway(webhook_url=options["webhook_url"],
                                   webhook_secret=settings.VELOCITYPAY_WEBHOOK_SECRET)
        gateway.set_behaviour("accept", settle_after=options["settle_after"])
        with SimulatorServer(gateway, port=options["port"]) as server:
            self.stdout.write(f"VelocityPay simulator on {server.url}, webhooks to {options['webhook_url']}")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                self.stdout.write("stopped")
