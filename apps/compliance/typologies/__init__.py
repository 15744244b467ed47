"""The typology library: each module registers one typology (``base.register``)."""

from apps.compliance.typologies import (  # noqa: F401
    dormant_reactivation,
    fan_in,
    fan_out,
    high_risk_geography,
    large_cash,
    profile_deviation,
    rapid_movement,
    round_amounts,
    structuring,
    velocity,
)
