"""Compliance's queues on the admin home (apps/work_queues.py), for those who work cases: the alert queue, the
cases by SAR deadline (overdue first) and the CTRs ready to file."""

from django.urls import reverse

from apps.compliance.models.alerts import CaseStatus
from apps.compliance.selectors import alert_queue, case_queue, ctrs_to_file
from apps.compliance.services.cases import WORK_ON_CASE
from apps.money import format_amount
from apps.organization.selectors import BankNotConfigured, current_business_date
from apps.work_queues import WaitingCase, WaitingWork, register_work_queue

SHOWN = 5


def alerts_waiting_for(user) -> WaitingWork | None:
    if not user.has_perm(WORK_ON_CASE):
        return None
    alerts = alert_queue().filter(case__status=CaseStatus.OPEN)
    cases = tuple(WaitingCase(text=f"{alert.customer.legal_name}: {alert.summary} (risk {alert.score})",
                              url=reverse("admin:compliance_case_change", args=[alert.case_id]))
                  for alert in alerts[:SHOWN])
    return WaitingWork(label="AML alerts not yet investigated", count=alerts.count(), cases=cases,
                       url=reverse("admin:compliance_alert_changelist") + "?case__status__exact=open")


def cases_waiting_for(user) -> WaitingWork | None:
    if not user.has_perm(WORK_ON_CASE):
        return None
    try:
        business_date = current_business_date()
    except BankNotConfigured:
        return None
    cases = case_queue(business_date=business_date)
    shown = tuple(
        WaitingCase(text=(f"{'OVERDUE: ' if case.is_overdue else ''}{case.customer.legal_name}, SAR due "
                          f"{case.sar_due_on:%Y-%m-%d} ({case.get_status_display().lower()}, "
                          f"{case.alert_count} alert{'s' if case.alert_count != 1 else ''}, "
                          f"{case.assignee.get_username() if case.assignee else 'unassigned'})"),
                    url=reverse("admin:compliance_case_change", args=[case.pk]))
        for case in cases[:SHOWN])
    return WaitingWork(label="AML cases by SAR deadline", count=cases.count(), cases=shown,
                       url=reverse("admin:compliance_case_changelist"))


def ctrs_waiting_for(user) -> WaitingWork | None:
    if not user.has_perm("compliance.view_currencytransactionreport") or not user.has_perm(WORK_ON_CASE):
        return None
    ctrs = ctrs_to_file()
    shown = tuple(
        WaitingCase(text=(f"{ctr.customer.legal_name}, {ctr.business_date:%Y-%m-%d}: cash in "
                          f"{format_amount(ctr.cash_in, ctr.currency)}, "
                          f"out {format_amount(ctr.cash_out, ctr.currency)}"),
                    url=reverse("admin:compliance_currencytransactionreport_change", args=[ctr.pk]))
        for ctr in ctrs[:SHOWN])
    return WaitingWork(label="Currency transaction reports to file", count=ctrs.count(), cases=shown,
                       url=reverse("admin:compliance_currencytransactionreport_changelist") + "?status__exact=ready")


register_work_queue("compliance.alerts", alerts_waiting_for, order=250)
register_work_queue("compliance.cases", cases_waiting_for, order=251)
register_work_queue("compliance.ctrs", ctrs_waiting_for, order=252)
