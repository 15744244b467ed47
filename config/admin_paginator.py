"""The admin's lists of big tables count their rows without reading them all.

Django's changelist counts its rows twice (the filtered list and, for "N of M", the whole table), each a
``COUNT(*)`` that reads every row it counts: on a million accounts that is most of a list's time. Lists of big
tables use ``LargeListAdminMixin``: no count of the whole table (``show_full_result_count = False``) and
``EstimatedCountPaginator``, which

- on PostgreSQL asks the planner how many rows the list has (``EXPLAIN``, no scan; its statistics come from
  ANALYZE, which autovacuum keeps fresh), and counts exactly only a list the planner puts at
  ``EXACT_COUNT_UP_TO`` rows or fewer, and then at most that many rows plus one (a count that reaches the cap
  means the planner was wrong, and the list shows "more than" the cap);
- on SQLite, which has no row estimates (and whose embedded banks are small), counts exactly.

The number shown above the list says "about" when it is an estimate (templates/admin/pagination.html).
"""

from __future__ import annotations

import json

from django.contrib.admin import helpers
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _

EXACT_COUNT_UP_TO = 10_000


def planner_row_estimate_postgresql(queryset: QuerySet) -> int:
    """PostgreSQL's estimate of the rows ``queryset`` returns: the top plan node's "Plan Rows"."""
    sql, params = queryset.order_by().query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def planner_row_estimate_sqlite(queryset: QuerySet) -> None:
    """SQLite's planner keeps no row estimates that it shows: none (the paginator counts)."""
    return None


PLANNER_ROW_ESTIMATES = {"postgresql": planner_row_estimate_postgresql, "sqlite": planner_row_estimate_sqlite}


def planner_row_estimate(queryset: QuerySet) -> int | None:
    vendor = connections[queryset.db].vendor
    return PLANNER_ROW_ESTIMATES.get(vendor, planner_row_estimate_sqlite)(queryset)


class EstimatedCountPaginator(Paginator):
    """A paginator whose ``count`` is the planner's estimate for a big list, exact for a small one;
    ``count_is_estimate`` says which."""

    count_is_estimate = False

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return super().count
        if queryset.query.is_empty():  # .none(): no SQL to ask about
            return 0
        estimate = planner_row_estimate(queryset)
        if estimate is None:
            return super().count
        if estimate > EXACT_COUNT_UP_TO:
            self.count_is_estimate = True
            return estimate
        counted = queryset.order_by()[:EXACT_COUNT_UP_TO + 1].count()
        if counted > EXACT_COUNT_UP_TO:
            self.count_is_estimate = True
        return counted


class LargeListAdminMixin:
    """For the ModelAdmin of a table that grows with the bank (accounts, customers, postings, ...): one
    estimated count per list page instead of two full counts."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def action_checkbox(self, obj):
        """Django's row checkbox, the same HTML written directly: Django renders it through the form widget
        templates, one template render per row (a fifth of a hundred-row list's time)."""
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html('<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
                           helpers.ACTION_CHECKBOX_NAME, str(obj.pk), label)
