"""The payments domain's end-of-day steps."""

from apps.eod.registry import register_step
from apps.payments.services.reviews import expire_undecided_reviews
from apps.payments.services.standing_orders import execute_due_standing_orders

# Before standing orders: funds a stale held payment reserved are free again for the day's orders.
register_step("payments.expire_undecided_reviews", expire_undecided_reviews, order=140)

# After holds expire (100), before interest accrues (200), so the day's balances include the day's payments.
register_step("payments.execute_standing_orders", execute_due_standing_orders, order=150)
