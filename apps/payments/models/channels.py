"""The channels a payment can come through."""

from __future__ import annotations

from django.db import models


class Channel(models.TextChoices):
    API = "api", "Web and mobile (API)"
    BRANCH = "branch", "Branch (staff, admin)"
    STANDING_ORDER = "standing_order", "Standing order"
