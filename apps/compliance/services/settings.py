"""Typology settings under maker-checker: a setting's thresholds decide whom the bank investigates, so a new
setting, a change of one (its parameters, live or shadow, enabled or not) and the promotion of a shadow
setting's parameters to the live one are proposed by one person and applied when a second one, entitled to
make the change too, approves it (apps/organization/configuration.py).

The checker's page shows the diff: one row per setting field changed and one row per parameter changed
(``@parameter:<name>``, which the configuration module leaves to this one). The typology of the library
validates the parameters when the change is proposed and again when it is approved; every approved change
raises the setting's ``revision`` by one, and a request made on an older revision is refused as stale.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from apps.compliance.errors import CompliancePermissionRefused, TypologySettingRefused
from apps.compliance.models import TypologySetting
from apps.compliance.models.typologies import SettingMode
from apps.compliance.typologies.base import ParameterError, Typology, typology
from apps.money import Money, MoneyError, format_amount
from apps.organization.configuration import (
    EMPTY_TEXT,
    StaleConfigurationChange,
    approval_change_reason,
    changed_instance,
    propose_configuration_change,
)
from apps.organization.models import ApprovalRequest, User

CHANGE_TYPOLOGY_SETTING = "compliance.change_typology_setting"
PROMOTE_SHADOW_SETTING = "compliance.promote_shadow_setting"
SETTING_FIELDS = ("typology", "currency", "mode", "is_enabled")
PARAMETER_PREFIX = "@parameter:"  # a diff row of one parameter (not a field of the setting row)
SHADOW_RETIRED = "@shadow"  # the promotion's row saying the shadow setting is switched off


def library_typology(code: str) -> Typology:
    try:
        return typology(code)
    except KeyError:
        raise TypologySettingRefused(f"The library has no typology {code!r}.", code="typology_unknown") from None


def normalized_parameters(*, entry: Typology, raw: Mapping[str, Any], currency: str) -> dict[str, Any]:
    """The parameters as stored: validated by the typology (complete, JSON), and each amount an amount of the
    setting's currency with its decimals ("10000" and "10000.0" are one value: "10000.00"). Raises the
    typology's ParameterError, or MoneyError for a fraction of the minor unit."""
    clean = entry.validated_parameters(raw)
    for spec in entry.parameters:
        if spec.kind == "amount":
            clean[spec.name] = str(Money(Decimal(clean[spec.name]), currency).amount)
    return clean


def checked_parameters(*, entry: Typology, raw: Mapping[str, Any], currency: str) -> dict[str, Any]:
    """``normalized_parameters``, a refusal in the domain's words when they do not validate."""
    try:
        return normalized_parameters(entry=entry, raw=raw, currency=currency)
    except (ParameterError, MoneyError) as error:
        raise TypologySettingRefused(str(error), code="typology_parameters_invalid") from None


def stored_parameters(entry: Typology, setting: TypologySetting | None) -> dict[str, Any]:
    """A setting's parameters as the diff compares them: validated (complete, in stored form) when they still
    validate, else as stored (a typology's new version may have renamed one: the change replaces them)."""
    if setting is None:
        return {}
    try:
        return normalized_parameters(entry=entry, raw=setting.parameters, currency=setting.currency)
    except (ParameterError, MoneyError):
        return dict(setting.parameters)


def parameter_text(entry: Typology, name: str, value: Any, currency: str) -> str:
    spec = next((p for p in entry.parameters if p.name == name), None)
    if value is None or spec is None:
        return EMPTY_TEXT if value is None else str(value)
    if spec.kind == "amount":
        return format_amount(Decimal(str(value)), currency)
    if spec.kind == "countries":
        return ", ".join(value) or EMPTY_TEXT
    if spec.kind in ("hours", "days"):
        return f"{value} {spec.kind}"
    return str(value)


def parameter_changes(*, entry: Typology, currency: str, before: Mapping[str, Any] | None,
                      after: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One diff row per parameter whose value changes (every one for a new setting)."""
    labels = {p.name: p.label for p in entry.parameters}
    rows = []
    for name in sorted(set(after) | set(before or {})):
        old = None if before is None else before.get(name)
        new = after.get(name)
        if before is not None and old == new:
            continue
        rows.append({"field": f"{PARAMETER_PREFIX}{name}", "label": labels.get(name, name),
                     "before": old, "after": new,
                     "before_text": parameter_text(entry, name, old, currency),
                     "after_text": parameter_text(entry, name, new, currency)})
    return rows


def _check_mode_free(setting: TypologySetting) -> None:
    """One live and one shadow setting per typology and currency (the table's constraint says it too)."""
    taken = TypologySetting.objects.filter(typology=setting.typology, currency=setting.currency,
                                           mode=setting.mode).exclude(pk=setting.pk).exists()
    if taken:
        raise TypologySettingRefused(
            f"{setting.typology} already has a {setting.mode} setting in {setting.currency}: change that one.",
            code="typology_setting_mode_taken")


def _check_maker(maker: User, *, adding: bool) -> None:
    needed = "compliance.add_typologysetting" if adding else "compliance.change_typologysetting"
    if not maker.has_perm(needed):
        raise CompliancePermissionRefused("Your role may not change typology settings.")


@transaction.atomic
def propose_typology_setting_change(*, proposed: TypologySetting, parameters: Mapping[str, Any] | None,
                                    maker: User) -> ApprovalRequest:
    """Ask a checker to approve a new setting or a change of one. ``proposed`` is unsaved: the stored row with
    the new mode and enabled flag, or a new row; ``parameters`` the whole new set (None: leave them). Refused
    when nothing changes, when the typology refuses the parameters, or when the typology already has a setting
    in that mode and currency; nothing is saved."""
    _check_maker(maker, adding=proposed.pk is None)
    stored = TypologySetting.objects.get(pk=proposed.pk) if proposed.pk else None
    if stored is not None and (stored.typology, stored.currency) != (proposed.typology, proposed.currency):
        raise TypologySettingRefused("A setting keeps its typology and currency: propose a new setting instead.",
                                     code="typology_setting_identity_locked")
    entry = library_typology(proposed.typology)
    before = None if stored is None else stored_parameters(entry, stored)
    raw = (before if parameters is None else parameters) if stored is not None else (parameters or {})
    after = checked_parameters(entry=entry, raw=raw, currency=proposed.currency)
    _check_mode_free(proposed)
    name = str(stored) if stored else f"new {proposed.typology} {proposed.currency} ({proposed.mode})"
    return propose_configuration_change(
        operation=CHANGE_TYPOLOGY_SETTING, proposed=proposed, fields=SETTING_FIELDS, maker=maker,
        summary=f"Change typology setting {name}",
        extra_changes=parameter_changes(entry=entry, currency=proposed.currency, before=before, after=after),
        extra_parameters={"revision": stored.revision if stored else None})


def _changed_setting(*, locked: TypologySetting | None, parameters: dict[str, Any]) -> TypologySetting:
    """The setting with the approved values (fields and parameters) set, validated again, revision raised;
    not saved. Refused as stale when the setting was changed since the request (its revision moved)."""
    if locked is not None and locked.revision != parameters.get("revision"):
        raise StaleConfigurationChange(f"{locked} was changed since the request was made (revision "
                                       f"{locked.revision}): reject it and propose the change again.")
    entry = library_typology(locked.typology if locked is not None else next(
        c["after"] for c in parameters["changes"] if c["field"] == "typology"))
    values = stored_parameters(entry, locked)
    stale = []
    for change in parameters["changes"]:
        if change["field"].startswith(PARAMETER_PREFIX):
            name = change["field"].removeprefix(PARAMETER_PREFIX)
            if locked is not None and values.get(name) != change["before"]:
                stale.append(change["label"])
            if change["after"] is None:
                values.pop(name, None)
            else:
                values[name] = change["after"]
    if stale:
        raise StaleConfigurationChange(f"{', '.join(stale)} changed since the request was made: propose the "
                                       "change again.")
    setting = changed_instance(locked=locked, model=TypologySetting, parameters=parameters)
    setting.parameters = checked_parameters(entry=entry, raw=values, currency=setting.currency)
    _check_mode_free(setting)
    if locked is not None:
        setting.revision = locked.revision + 1  # the row is locked: no concurrent change reads the old one
    return setting


@transaction.atomic
def apply_typology_setting_change(*, parameters: dict[str, Any], actor: User, maker: User) -> dict[str, Any]:
    """Apply an approved change under the setting's row lock. History: the checker, and both names."""
    locked = (TypologySetting.objects.select_for_update().get(pk=parameters["pk"])
              if parameters["pk"] else None)
    setting = _changed_setting(locked=locked, parameters=parameters)
    setting._history_user = actor
    setting._change_reason = approval_change_reason(maker=maker, checker=actor)
    _save(setting)
    return {"setting": str(setting), "revision": setting.revision}


def _save(setting: TypologySetting) -> None:
    """Save; two approvals racing to create the same (typology, currency, mode) meet at the constraint."""
    try:
        with transaction.atomic():
            setting.save()
    except IntegrityError:
        raise TypologySettingRefused(f"{setting.typology} already has a {setting.mode} setting in "
                                     f"{setting.currency}.", code="typology_setting_mode_taken") from None


@transaction.atomic
def propose_shadow_promotion(*, shadow: TypologySetting, maker: User) -> ApprovalRequest:
    """Ask a checker to approve replacing the live setting's parameters (same typology and currency) with the
    shadow's: the live one is enabled (created when there is none) and the shadow is switched off, its trial
    done. Refused when the shadow's parameters are the live one's already."""
    shadow = TypologySetting.objects.get(pk=shadow.pk)
    if not shadow.is_shadow:
        raise TypologySettingRefused(f"{shadow} is not a shadow setting.", code="typology_setting_not_shadow")
    live = TypologySetting.objects.filter(typology=shadow.typology, currency=shadow.currency,
                                          mode=SettingMode.LIVE).first()
    _check_maker(maker, adding=live is None)
    entry = library_typology(shadow.typology)
    after = checked_parameters(entry=entry, raw=stored_parameters(entry, shadow), currency=shadow.currency)
    before = None if live is None else stored_parameters(entry, live)
    if live is not None and before == after:
        raise TypologySettingRefused("The live setting has the shadow's parameters already.",
                                     code="typology_shadow_same_as_live")
    proposed = (TypologySetting(typology=shadow.typology, currency=shadow.currency, mode=SettingMode.LIVE)
                if live is None else TypologySetting.objects.get(pk=live.pk))
    proposed.is_enabled = True
    retire = {"field": SHADOW_RETIRED, "label": "Shadow setting", "before": shadow.revision, "after": None,
              "before_text": f"running (revision {shadow.revision})", "after_text": "switched off (promoted)"}
    return propose_configuration_change(
        operation=PROMOTE_SHADOW_SETTING, proposed=proposed, fields=SETTING_FIELDS, maker=maker,
        summary=f"Promote shadow {shadow} to live",
        extra_changes=[*parameter_changes(entry=entry, currency=shadow.currency, before=before, after=after),
                       retire],
        extra_parameters={"revision": None if live is None else live.revision, "shadow_pk": shadow.pk,
                          "shadow_revision": shadow.revision})


@transaction.atomic
def apply_shadow_promotion(*, parameters: dict[str, Any], actor: User, maker: User) -> dict[str, Any]:
    """Apply an approved promotion under both rows' locks (ascending id): stale when the shadow or the live
    setting changed since the request."""
    ids = sorted(pk for pk in (parameters["shadow_pk"], parameters["pk"]) if pk)
    locked = {row.pk: row for row in TypologySetting.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    shadow = locked[parameters["shadow_pk"]]
    if shadow.revision != parameters["shadow_revision"] or not shadow.is_shadow:
        raise StaleConfigurationChange(f"{shadow} was changed since the request was made: reject it and propose "
                                       "the promotion again.")
    live = _changed_setting(locked=locked.get(parameters["pk"]), parameters=parameters)
    reason = approval_change_reason(maker=maker, checker=actor)
    live._history_user, live._change_reason = actor, reason
    _save(live)
    shadow.is_enabled = False
    shadow.revision = shadow.revision + 1
    shadow._history_user, shadow._change_reason = actor, reason
    shadow.save()
    return {"setting": str(live), "revision": live.revision, "shadow_switched_off": str(shadow)}
