"""What the admin's searches of big tables look for, and how, so that each is one indexed lookup.

Django's ``search_fields`` turn every word into ``UPPER(field) LIKE '%word%'`` on every field, ORed: no index
can serve that, and on a million accounts each search reads them all. The big lists instead read the term
once and look where it can be:

- a whole account number / IBAN (spaces allowed): the number, exactly (the unique index);
- the start of an account number or ledger code: a range of the b-tree index (``starting_with``);
- digits: a customer or entry number, exactly (the primary key);
- anything else: a name, ``icontains``, which PostgreSQL answers from a trigram index on ``UPPER(name)``
  (customers migration 0004, ledger migration 0007) and SQLite by reading its (small) table: the same rows
  on both.
"""

from __future__ import annotations

import re

from django.db.models import Q

# The characters of account numbers and codes, in the order every collation sorts them (digits before letters).
CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CODE_PREFIX = re.compile(r"^[A-Z]{2}[0-9][0-9A-Z]*$")
ENTRY_NUMBER = re.compile(r"^(?:JE|#)?([0-9]{1,18})$", re.IGNORECASE)


def compact(term: str) -> str:
    """The term without spaces, in capitals: how account numbers and codes are stored."""
    return "".join(term.split()).upper()


def looks_like_account_number_prefix(term: str) -> bool:
    """Two letters and a digit or more (``PT50``, ``PT50 BENC 0000``): the start of an IBAN-style number."""
    return bool(CODE_PREFIX.match(compact(term)))


def row_number(term: str) -> int | None:
    """``123``, ``#123`` or ``JE123``: a customer's or an entry's number; otherwise None."""
    match = ENTRY_NUMBER.match(term.strip())
    return int(match.group(1)) if match else None


def _successor(prefix: str) -> str | None:
    """The smallest string of CODE_ALPHABET after every string that starts with ``prefix``; None if none."""
    kept = prefix
    while kept:
        position = CODE_ALPHABET.find(kept[-1])
        if 0 <= position < len(CODE_ALPHABET) - 1:
            return kept[:-1] + CODE_ALPHABET[position + 1]
        kept = kept[:-1]
    return None


def starting_with(field: str, prefix: str) -> Q:
    """Rows whose ``field`` starts with ``prefix``, read from the field's b-tree index as a range: a ``LIKE
    'prefix%'`` alone uses that index only under the C collation (PostgreSQL) or never (SQLite's LIKE ignores
    case). The ``startswith`` stays, so a value with characters outside CODE_ALPHABET is still matched right."""
    condition = Q(**{f"{field}__gte": prefix, f"{field}__startswith": prefix})
    upper = _successor(prefix) if all(char in CODE_ALPHABET for char in prefix) else None
    return condition & Q(**{f"{field}__lt": upper}) if upper else condition
