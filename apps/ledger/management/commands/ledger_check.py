"""Recompute every balance from the postings, compare with the stored balances, print the trial balance, and
run the integrity checks the domains above the ledger register (apps/ledger/integrity_checks.py): end of day
verifies the chain of its seals (apps.eod.seal), naming the first sealed business date whose entries no longer
match.

Exit status 0 when the ledger is consistent, 1 on any drift, unbalanced entry, unbalanced trial balance or
broken seal.
"""

from django.core.management.base import BaseCommand

from apps.ledger.selectors import ledger_check_report
from apps.money import to_minor_unit


class Command(BaseCommand):
    help = "Verify the ledger: stored balances against postings, balanced entries, and the trial balance."

    def handle(self, *args, **options):
        report = ledger_check_report()  # the admin's "Trial balance and ledger check" page shows the same
        for check in report.drifted:
            account = check.account
            self.stderr.write(
                f"DRIFT {account.code}: stored {to_minor_unit(account.balance, account.currency)}, "
                f"postings give {check.recomputed} ({account.currency})"
            )
        for entry in report.unbalanced:
            self.stderr.write(f"UNBALANCED journal entry {entry.pk} ({entry.description})")

        self.stdout.write(f"{'currency':<8} {'debit balances':>22} {'credit balances':>22}")
        for line in report.trial_balance:
            self.stdout.write(f"{line.currency:<8} {line.debits:>22} {line.credits:>22}"
                              f"{'' if line.balanced else '  NOT BALANCED'}")
        self.stdout.write(f"{len(report.checks)} accounts checked.")

        for _, integrity in report.integrity:
            for problem in integrity.problems:
                self.stderr.write(problem)
            self.stdout.write(integrity.summary)
        if report.problems:
            self.stderr.write(self.style.ERROR(f"Ledger check FAILED: {report.problems} problem(s)."))
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS(
            "Ledger check passed: balances match postings, trial balance balances, seals match."))
