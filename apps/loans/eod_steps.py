"""The loans' end-of-day steps (apps.eod_registry), in the free range between the deposits' accrual (200) and
their maturities (300): accrue loan interest, then mark instalments due and overdue, then collect what is due
from the deposit accounts. Each is idempotent per business date and catches up missed dates."""

from apps.eod_registry import register_step
from apps.loans.services.accrual import accrue_loan_interest
from apps.loans.services.collection import collect_due_instalments, mark_instalments

register_step("loans.accrue_interest", accrue_loan_interest, order=250)
register_step("loans.mark_instalments", mark_instalments, order=260)
register_step("loans.collect_due_instalments", collect_due_instalments, order=270)
