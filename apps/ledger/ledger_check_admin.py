"""The admin's "Trial balance and ledger check" page (/admin/ledger/ledgercheck/), for operations and auditors:
read-only, bank-wide. It runs the checks ``manage.py ledger_check`` runs (``ledger_check_report``): every stored
balance against its postings, unbalanced entries, the trial balance per currency, and the integrity checks the
domains register (the end-of-day seal chain among them). Listed with the ledger's models on the admin index
through the ``LedgerCheck`` proxy, whose permission (``ledger.view_ledgercheck``) opens it."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path

from apps.ledger.models import LedgerCheck
from apps.ledger.selectors import ledger_check_report
from apps.organization.selectors import current_business_date
from config.admin_money import money_cell

SEAL_CHAIN_CHECK = "eod.seal_chain"  # registered by apps.eod (apps/eod/apps.py)


@admin.register(LedgerCheck)
class LedgerCheckAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        # The page takes the place of the change list, so the admin index's link to it opens the page.
        return [path("", self.admin_site.admin_view(self.ledger_check_view), name="ledger_ledgercheck_changelist")]

    def ledger_check_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        report = ledger_check_report()
        seal_chain = dict(report.integrity).get(SEAL_CHAIN_CHECK)
        return TemplateResponse(request, "admin/ledger/ledger_check.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "title": "Trial balance and ledger check",
            "business_date": current_business_date(), "report": report, "accounts_checked": len(report.checks),
            "trial_balance": [{"currency": line.currency, "debits": money_cell(line.debits, line.currency),
                               "credits": money_cell(line.credits, line.currency), "balanced": line.balanced}
                              for line in report.trial_balance],
            "drifted": [{"account": check.account,
                         "stored": money_cell(check.account.balance, check.account.currency),
                         "recomputed": money_cell(check.recomputed, check.account.currency)}
                        for check in report.drifted],
            "seal_chain": seal_chain,
            "other_checks": [(name, result) for name, result in report.integrity if name != SEAL_CHAIN_CHECK],
        })
