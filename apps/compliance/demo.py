"""Demo compliance: every typology of the library live in the demo bank's currency, with its default thresholds."""

from apps.compliance.services.typology_defaults import install_default_typology_settings
from apps.organization.models import User

CURRENCY = "EUR"


def seed_typology_settings(out) -> None:
    actor = User.objects.filter(is_superuser=True).order_by("pk").first()
    created = install_default_typology_settings(currency=CURRENCY, actor=actor)
    out.write(f"compliance: {len(created)} typology settings installed in {CURRENCY} (defaults)\n")
