"""The typology library: each module registers one typology (``base.register``)."""

from apps.compliance.typologies import large_cash  # noqa: F401
