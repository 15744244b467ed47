"""The payments app's admin, one module per subject; importing them registers their pages."""

from apps.payments.admin import beneficiaries, external, fraud, payment_settings, reviews, standing_orders, transfers

__all__ = ["beneficiaries", "external", "fraud", "payment_settings", "reviews", "standing_orders", "transfers"]
