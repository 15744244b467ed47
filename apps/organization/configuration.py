"""Configuration changes under maker-checker: what a product, a fee, a limit or a rule may make money do.

A maker proposes a change; nothing is saved. The proposal is an ApprovalRequest whose parameters hold, for each
changed field, the stored value (``before``), the proposed one (``after``) and both in words for the checker::

    {"model": "accounts.depositproduct", "pk": 7,
     "changes": [{"field": "interest_rate", "label": "Interest rate",
                  "before": "2.500000", "after": "3.000000", "before_text": "2.500000", "after_text": "3.000000"}]}

A domain registers the operation that applies it (``@approvable``, with ``checker_permission``: the checker must
be entitled to make the change too) and calls ``changed_instance`` under the row's lock: it refuses a request
made on values that have changed since (stale) and returns the row with the approved values set, for the
domain's service to check its own rules and save. History records the checker as the user and both people in
the change reason.
"""

from __future__ import annotations

import datetime
import decimal
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.apps import apps as django_apps
from django.db import models

from apps.domain_errors import Conflict, DomainError
from apps.organization.models import ApprovalRequest, Branch, User
from apps.organization.services import request_approval


class NothingToChange(DomainError):
    code = "nothing_to_change"
    title = "The proposal changes nothing"


class StaleConfigurationChange(Conflict):
    code = "configuration_change_stale"
    title = "The configuration changed since the request was made"


EMPTY_TEXT = "(empty)"


def stored_value(instance: models.Model, name: str) -> Any:
    """A field's value as JSON can hold it: decimals and dates as strings, a foreign key as its id."""
    field = instance._meta.get_field(name)
    value = getattr(instance, field.attname)
    if isinstance(field, models.DecimalField) and value is not None:
        # 2.5 typed in a form and 2.500000 read from the database are one value.
        return str(decimal.Decimal(value).quantize(decimal.Decimal(1).scaleb(-field.decimal_places)))
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def value_text(instance: models.Model, name: str) -> str:
    """A field's value as a checker reads it: a choice's label, a related row's name, yes/no."""
    field = instance._meta.get_field(name)
    value = getattr(instance, field.attname)
    if value is None or value == "":
        return EMPTY_TEXT
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        return str(getattr(instance, name))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(field, models.DecimalField):
        return stored_value(instance, name)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return str(value)


def field_changes(*, stored: models.Model | None, proposed: models.Model,
                  fields: Iterable[str]) -> list[dict[str, Any]]:
    """One row per field whose proposed value differs from the stored one (every field for a new row)."""
    changes = []
    for name in fields:
        after = stored_value(proposed, name)
        before = None if stored is None else stored_value(stored, name)
        if stored is not None and before == after:
            continue
        changes.append({
            "field": name, "label": str(proposed._meta.get_field(name).verbose_name).capitalize(),
            "before": before, "after": after,
            "before_text": EMPTY_TEXT if stored is None else value_text(stored, name),
            "after_text": value_text(proposed, name),
        })
    return changes


def propose_configuration_change(*, operation: str, proposed: models.Model, fields: Sequence[str], maker: User,
                                 summary: str, branch: Branch | None = None,
                                 extra_changes: Sequence[dict[str, Any]] = (),
                                 extra_parameters: dict[str, Any] | None = None) -> ApprovalRequest:
    """Record ``proposed`` (an unsaved copy of the row with the new values, or a new row) for a checker.

    ``extra_changes`` are diff rows the domain computed itself (a product's interest tiers). Refused when
    nothing would change. The caller runs inside a transaction (the domain's service)."""
    model = type(proposed)
    stored = model._default_manager.get(pk=proposed.pk) if proposed.pk else None
    changes = field_changes(stored=stored, proposed=proposed, fields=fields) + list(extra_changes)
    if not changes:
        raise NothingToChange(f"The proposal changes nothing on {stored}.")
    parameters = {"model": model._meta.label_lower, "pk": proposed.pk, "changes": changes,
                  **(extra_parameters or {})}
    return request_approval(operation=operation, parameters=parameters, summary=summary, maker=maker,
                            branch=branch)


def changed_instance(*, locked: models.Model | None, model: type[models.Model],
                     parameters: dict[str, Any]) -> models.Model:
    """The row (locked by the caller; None for a new one) with the approved values set, not saved.

    Refuses a stale request: a field whose stored value is no longer the one the checker saw as ``before``."""
    instance = locked if locked is not None else model()
    stale = []
    for change in parameters["changes"]:
        name = change["field"]
        if name.startswith("@"):  # a domain's own row (tiers): the domain checks and applies it
            continue
        if locked is not None and stored_value(locked, name) != change["before"]:
            stale.append(change["label"])
        field = model._meta.get_field(name)
        value = change["after"]
        setattr(instance, field.attname, None if value is None else field.to_python(value))
    if stale:
        raise StaleConfigurationChange(
            f"{', '.join(stale)} changed since the request was made: propose the change again.")
    return instance


def approval_change_reason(*, maker: User, checker: User) -> str:
    """The history row's reason: who proposed the change and who approved it (history's user is the checker)."""
    return f"Maker-checker: proposed by {maker.username}, approved by {checker.username}"[:100]


def diff_rows(approval: ApprovalRequest) -> list[tuple[str, str, str]]:
    """(field, before, after) in words, for the checker's page; empty when the request is not a change."""
    changes = approval.parameters.get("changes") if isinstance(approval.parameters, dict) else None
    if not isinstance(changes, list):
        return []
    return [(str(c.get("label", c.get("field", ""))), str(c.get("before_text", c.get("before"))),
             str(c.get("after_text", c.get("after")))) for c in changes if isinstance(c, dict)]


def describe_configuration_change(parameters: dict[str, Any]) -> str:
    """A configuration change in words, for ``approvable(describe=...)``: what row, which fields (the diff has
    the values)."""
    model = django_apps.get_model(parameters["model"])
    what = str(model._meta.verbose_name)
    fields = ", ".join(str(change.get("label", change.get("field", ""))).lower()
                       for change in parameters.get("changes", []) if isinstance(change, dict))
    if parameters.get("pk") is None:
        return f"Create a {what}: {fields}."
    return f"Change {what} {model._default_manager.get(pk=parameters['pk'])}: {fields}."
