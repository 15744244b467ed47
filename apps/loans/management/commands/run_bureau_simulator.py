"""Run the local CreditLine bureau simulator (apps/loans/bureau/simulator.py) until interrupted."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from apps.loans.bureau.simulator import BureauSimulatorServer, SimulatedBureau


class Command(BaseCommand):
    help = "Serve a local credit bureau on 127.0.0.1 that answers every inquiry with a repeatable report."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8766)

    def handle(self, *args, **options):
        bureau = SimulatedBureau(api_token=settings.CREDIT_BUREAU_API_TOKEN)
        with BureauSimulatorServer(bureau, port=options["port"]) as server:
            self.stdout.write(f"Credit bureau simulator on {server.url}")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                self.stdout.write("stopped")
