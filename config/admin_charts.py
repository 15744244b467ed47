"""Charts on the admin's pages (the home): Chart.js (from npm, served from static/vendor/, docs/architecture.md)
draws them from a JSON description of a selector's figures, and the same figures stand underneath as a table,
which is what a browser without JavaScript shows (templates/admin/chart.html, static/ogpgy/home_charts.js).

Amounts travel as strings (a Decimal never becomes a float here); the script turns them into numbers only to
place the points, and the tooltips show each value as written here ("1,234.50 EUR")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from apps.money import format_amount, to_minor_unit


@dataclass(frozen=True)
class ChartSeries:
    label: str
    values: list[str | int]
    texts: list[str]


@dataclass(frozen=True)
class Chart:
    """``kind``: Chart.js's type ("line", "bar", "doughnut"); ``labels``: the x axis (or the slices)."""

    id: str
    title: str
    kind: str
    labels: list[str]
    series: list[ChartSeries]
    note: str = ""
    rows: list[tuple[str, list[str]]] = field(init=False)

    def __post_init__(self) -> None:
        # The table under the chart: one row per label, one column per series, as people read the values.
        object.__setattr__(self, "rows", [(label, [series.texts[index] for series in self.series])
                                          for index, label in enumerate(self.labels)])

    @property
    def data_id(self) -> str:
        return f"{self.id}-data"

    def as_json(self) -> dict:
        return {"kind": self.kind, "labels": self.labels,
                "series": [{"label": series.label, "values": series.values, "texts": series.texts}
                           for series in self.series]}


def money_series(label: str, amounts: Sequence[Decimal], currency: str) -> ChartSeries:
    """A series of amounts in one currency: the values with the currency's decimals, as strings."""
    return ChartSeries(label=label, values=[str(to_minor_unit(amount, currency)) for amount in amounts],
                       texts=[format_amount(amount, currency) for amount in amounts])


def count_series(label: str, counts: Sequence[int], noun: str, singular: str | None = None) -> ChartSeries:
    """``noun`` is the plural ("alerts"); ``singular`` defaults to it without its final s."""
    one = singular or noun.removesuffix("s")
    return ChartSeries(label=label, values=list(counts),
                       texts=[f"{count:,} {one if count == 1 else noun}" for count in counts])
