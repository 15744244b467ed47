"""The compliance app's admin pages, one module per part, each registering its own models: customers' declared
activity (admin_expected_activity), the CTR register, its thresholds and the SARs (admin_reports), typology
settings and backtests (admin_typologies), and here the alert queue, the cases (by SAR deadline, each with its
timeline and linked transactions, and the operations that call services/cases.py) and the suppressions."""

from apps.compliance import admin_expected_activity, admin_reports, admin_typologies  # noqa: F401
from apps.compliance.admin import alerts, cases, suppressions  # noqa: F401
