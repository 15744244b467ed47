"""Recompute every balance from the postings, compare with the stored balances, print the trial balance, and
run the integrity checks the domains above the ledger register (apps/ledger/integrity_checks.py): end of day
verifies the chain of its seals (apps.eod.seal), naming the first sealed business date whose entries no longer
match.

Exit status 0 when the ledger is consistent, 1 on any drift, unbalanced entry, unbalanced trial balance or
broken seal.
"""

from django.core.management.base import BaseCommand

from apps.ledger.integrity_checks import run_integrity_checks
from apps.ledger.selectors import account_checks, trial_balance, unbalanced_entries
from apps.money import to_minor_unit


class Command(BaseCommand):
    help = "Verify the ledger: stored balances against postings, balanced entries, and the trial balance."

    def handle(self, *args, **options):
        problems = 0
        checks = account_checks()
        for check in checks:
            if check.drift != 0:
                problems += 1
                account = check.account
                self.stderr.write(
                    f"DRIFT {account.code}: stored {to_minor_unit(account.balance, account.currency)}, "
                    f"postings give {check.recomputed} ({account.currency})"
                )
        for entry in unbalanced_entries()[:50]:
            problems += 1
            self.stderr.write(f"UNBALANCED journal entry {entry.pk} ({entry.description})")

        self.stdout.write(f"{'currency':<8} {'debit balances':>22} {'credit balances':>22}")
        for line in trial_balance(checks):
            self.stdout.write(f"{line.currency:<8} {line.debits:>22} {line.credits:>22}"
                              f"{'' if line.balanced else '  NOT BALANCED'}")
            if not line.balanced:
                problems += 1
        self.stdout.write(f"{len(checks)} accounts checked.")

        for report in run_integrity_checks():
            for problem in report.problems:
                problems += 1
                self.stderr.write(problem)
            self.stdout.write(report.summary)
        if problems:
            self.stderr.write(self.style.ERROR(f"Ledger check FAILED: {problems} problem(s)."))
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS(
            "Ledger check passed: balances match postings, trial balance balances, seals match."))
