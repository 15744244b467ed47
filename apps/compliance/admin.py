"""The compliance app's admin. One module per part, registered on import."""

from apps.compliance import admin_reports  # noqa: F401 - the CTR register, its thresholds and the SARs
