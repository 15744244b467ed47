"""The library's typologies set up with their default thresholds: what a new bank (the demo, the tests, a fresh
installation through ``manage.py install_typology_settings``) starts from before compliance tunes them."""

from __future__ import annotations

from django.db import transaction

from apps.compliance.models import TypologySetting
from apps.compliance.models.typologies import SettingMode
from apps.compliance.services.settings import normalized_parameters
from apps.compliance.typologies.base import library
from apps.organization.models import User


@transaction.atomic
def install_default_typology_settings(*, currency: str, actor: User | None) -> list[TypologySetting]:
    """A live setting in ``currency`` for every typology of the library that has none, with the typology's
    default parameters, stored as the settings service stores them (``normalized_parameters``). Idempotent: a
    typology already set, live, in the currency is left exactly as compliance set it. Returns the settings
    created."""
    created = []
    existing = set(TypologySetting.objects.filter(currency=currency, mode=SettingMode.LIVE)
                   .values_list("typology", flat=True))
    for typology in library():
        if typology.code in existing:
            continue
        setting = TypologySetting(typology=typology.code, currency=currency, mode=SettingMode.LIVE,
                                  parameters=normalized_parameters(entry=typology, raw=typology.default_parameters(),
                                                                   currency=currency))
        setting._history_user = actor
        setting.save()
        created.append(setting)
    return created
