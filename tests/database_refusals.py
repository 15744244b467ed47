"""Which rule of the database refused a write, on PostgreSQL and on SQLite, so that a test of one rule cannot
pass on another rule's refusal.

A rule is named as the database names it: a constraint or a unique index by its name (a model's Meta), a trigger
by the rule it names in parentheses at the end of its refusal (apps/accounts/sql, apps/ledger/migrations).

    with refused_by("customer_phone_e164"):
        customer.save()
"""

import contextlib
import re
from collections.abc import Iterator

import pytest
from django.db import IntegrityError, connection, transaction

_RULE_IN_PARENTHESES = re.compile(r"\((\w+)\)$")
_SQLITE_CHECK = re.compile(r"^CHECK constraint failed: (\w+)$")
_SQLITE_UNIQUE_INDEX = re.compile(r"^UNIQUE constraint failed: index '(\w+)'$")
_SQLITE_UNIQUE_COLUMNS = re.compile(r"^UNIQUE constraint failed: (\w+)\.\w+(?:, \1\.\w+)*$")


@contextlib.contextmanager
def refused_by(rule: str) -> Iterator[None]:
    """Expect the database to refuse the block's write for breaking ``rule``, and only that (in a savepoint, so
    the test's transaction goes on after)."""
    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        yield
    violated = violated_rule(refusal.value)
    assert violated == rule, f"refused by {violated!r}, not by {rule!r}: {refusal.value}"


def violated_rule(error: IntegrityError) -> str | None:
    """The name of the rule that ``error`` says was broken; None when it names none."""
    diagnostic = getattr(error.__cause__, "diag", None)
    if diagnostic is not None:  # PostgreSQL (psycopg)
        return diagnostic.constraint_name or _rule_in_parentheses(diagnostic.message_primary or "")
    message = str(error).strip()
    for pattern in (_SQLITE_CHECK, _SQLITE_UNIQUE_INDEX):
        if match := pattern.match(message):
            return match[1]
    if _SQLITE_UNIQUE_COLUMNS.match(message):
        return _sqlite_unique_constraint_on(message)
    return _rule_in_parentheses(message)


def _rule_in_parentheses(message: str) -> str | None:
    match = _RULE_IN_PARENTHESES.search(message.strip())
    return match[1] if match else None


def _sqlite_unique_constraint_on(message: str) -> str | None:
    """SQLite names the columns of a broken UNIQUE, not the constraint: the table's one unique constraint on
    exactly those columns."""
    qualified = message.removeprefix("UNIQUE constraint failed: ").split(", ")
    table = qualified[0].split(".")[0]
    columns = sorted(name.split(".")[1] for name in qualified)
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    names = [name for name, constraint in constraints.items()
             if constraint["unique"] and sorted(constraint["columns"]) == columns and not constraint["primary_key"]]
    return names[0] if len(names) == 1 else None
