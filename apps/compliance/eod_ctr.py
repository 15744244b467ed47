"""The end of day aggregates the CTR register (services/ctr.py): the CTR days of the last
``COMPLIANCE_CTR_LOOKBACK_DAYS`` up to the day being closed, so cash recorded late still reaches its entry."""

from apps.compliance.services.ctr import aggregate_recent_ctrs
from apps.eod_registry import register_step

register_step("compliance.ctr", aggregate_recent_ctrs, order=710)
