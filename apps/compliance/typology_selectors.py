"""Reads for the typology settings page: the library's typologies with their live and shadow settings per
currency, the backtests, and the setting changes waiting for a checker. A fixed number of queries whatever the
number of typologies, currencies and runs."""

from __future__ import annotations

from dataclasses import dataclass, field

from apps.compliance.models import BacktestRun, TypologySetting
from apps.compliance.services.settings import (
    CHANGE_TYPOLOGY_SETTING,
    PROMOTE_SHADOW_SETTING,
    parameter_text,
    stored_parameters,
)
from apps.compliance.typologies.base import Typology, library
from apps.organization.models import ApprovalRequest

BACKTESTS_SHOWN = 20


@dataclass
class SettingView:
    setting: TypologySetting
    parameters: list[tuple[str, str]]  # (label, value in words)


@dataclass
class CurrencyRow:
    currency: str
    live: SettingView | None = None
    shadow: SettingView | None = None


@dataclass
class TypologyView:
    entry: Typology
    defaults: list[tuple[str, str]]
    currencies: list[CurrencyRow] = field(default_factory=list)


def setting_view(entry: Typology, setting: TypologySetting) -> SettingView:
    values = stored_parameters(entry, setting)
    return SettingView(setting=setting, parameters=[
        (spec.label, parameter_text(entry, spec.name, values.get(spec.name), setting.currency))
        for spec in entry.parameters])


def typologies_with_settings() -> list[TypologyView]:
    """Every typology of the library, each with its settings grouped by currency (live and shadow side by
    side); a setting whose typology left the library is not shown (it evaluates nothing)."""
    by_code: dict[str, dict[str, CurrencyRow]] = {}
    for setting in TypologySetting.objects.order_by("typology", "currency", "mode"):
        by_code.setdefault(setting.typology, {}).setdefault(setting.currency, CurrencyRow(setting.currency))
        row = by_code[setting.typology][setting.currency]
        setattr(row, "shadow" if setting.is_shadow else "live", setting)
    views = []
    for entry in library():
        rows = list(by_code.get(entry.code, {}).values())
        for row in rows:
            row.live = row.live and setting_view(entry, row.live)
            row.shadow = row.shadow and setting_view(entry, row.shadow)
        views.append(TypologyView(entry=entry, currencies=rows, defaults=[
            (spec.label, ", ".join(spec.default) if isinstance(spec.default, list | tuple) else str(spec.default))
            for spec in entry.parameters]))
    return views


def recent_backtests(limit: int = BACKTESTS_SHOWN) -> list[BacktestRun]:
    return list(BacktestRun.objects.select_related("requested_by").order_by("-requested_at", "-id")[:limit])


def pending_setting_changes() -> list[ApprovalRequest]:
    return list(ApprovalRequest.objects.filter(operation__in=[CHANGE_TYPOLOGY_SETTING, PROMOTE_SHADOW_SETTING],
                                               state=ApprovalRequest.State.PENDING)
                .select_related("maker").order_by("created_at", "id"))
