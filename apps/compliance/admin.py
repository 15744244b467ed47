"""The compliance app's admin pages, one module per part, each registering its own models: customers' declared
activity (admin_expected_activity), the CTR register, its thresholds and the SARs (admin_reports), typology
settings and backtests (admin_typologies)."""

from apps.compliance import admin_expected_activity, admin_reports, admin_typologies  # noqa: F401
