"""How compliance has set each typology of the library (apps/compliance/typologies), per currency.

A typology's code and logic are versioned in the library; its thresholds are data, here. Each (typology,
currency) has at most one live setting, whose alerts enter the queue, and at most one shadow setting: a new
threshold tried beside the live one, whose alerts are marked shadow and never enter the queue. Changes go
through maker-checker (apps/compliance/services/settings.py) and every approved change bumps ``revision``; an
alert records the typology's version and the setting's revision it was raised under.
"""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from apps.money import CURRENCY_CHOICES


class SettingMode(models.TextChoices):
    LIVE = "live", "Live (alerts enter the queue)"
    SHADOW = "shadow", "Shadow (alerts are recorded, marked shadow, and stay out of the queue)"


class TypologySetting(models.Model):
    typology = models.CharField(max_length=40, help_text="The library's code, e.g. structuring.")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES,
                                help_text="Amounts in the parameters are in this currency; the setting evaluates "
                                          "movements in it only.")
    mode = models.CharField(max_length=8, choices=SettingMode.choices, default=SettingMode.LIVE)
    is_enabled = models.BooleanField(default=True)
    parameters = models.JSONField(default=dict, help_text="The typology's thresholds; the library validates them.")
    revision = models.PositiveIntegerField(default=1, help_text="Raised by one at every approved change.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["typology", "currency", "mode"]
        constraints = [
            models.UniqueConstraint(fields=["typology", "currency", "mode"], name="typology_setting_once_per_mode"),
            models.CheckConstraint(condition=Q(mode__in=["live", "shadow"]), name="typology_setting_mode_known"),
        ]

    def __str__(self) -> str:
        return f"{self.typology} {self.currency} ({self.mode})"

    @property
    def is_shadow(self) -> bool:
        return self.mode == SettingMode.SHADOW
