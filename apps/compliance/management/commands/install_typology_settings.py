from django.core.management.base import BaseCommand

from apps.compliance.services.typology_defaults import install_default_typology_settings


class Command(BaseCommand):
    help = "Set every typology of the library live in a currency with its default thresholds (missing ones only)."

    def add_arguments(self, parser):
        parser.add_argument("--currency", required=True)

    def handle(self, *args, currency, **options):
        created = install_default_typology_settings(currency=currency.upper(), actor=None)
        self.stdout.write(f"{len(created)} typology settings installed in {currency.upper()}: "
                          f"{', '.join(s.typology for s in created) or 'none missing'}")
