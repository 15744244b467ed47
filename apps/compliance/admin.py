"""The compliance app's admin pages, one module per part (each registers its own models)."""

from apps.compliance import admin_typologies  # noqa: F401  (typology settings, backtests)
