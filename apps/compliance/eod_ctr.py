"""The end of day aggregates the CTR register (services/ctr.py): the CTR days of the last
``COMPLIANCE_CTR_LOOKBACK_DAYS`` up to the day being closed, so cash recorded late still reaches its entry. The
end-of-day screen shows the CTRs still to file."""

import datetime

from django.urls import reverse

from apps.compliance.models import CurrencyTransactionReport
from apps.compliance.models.reports import CtrStatus
from apps.compliance.services.ctr import aggregate_recent_ctrs
from apps.eod_registry import OpenItem, register_open_items, register_step

# After the day's movements and fees (up to 600), before the seal.
register_step("compliance.ctr", aggregate_recent_ctrs, order=710)


def _ctrs_to_file(business_date: datetime.date) -> list[OpenItem]:
    ready = CurrencyTransactionReport.objects.filter(status=CtrStatus.READY).count()
    return [OpenItem(label="CTRs to file with the FIU", count=ready,
                     note="They stay in the register, ready; end of day adds the day's." if ready else "",
                     url=reverse("admin:compliance_currencytransactionreport_changelist") + "?status__exact=ready")]


register_open_items("compliance.ctrs_to_file", _ctrs_to_file, order=400)
