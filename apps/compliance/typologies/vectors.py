"""Test vectors: each typology ships a JSON file (vectors/<code>.json) of movement sequences that must raise
alerts (``vectors``: ``expect`` lists the trigger ids, exactly) and near misses that must raise none.

A vector movement gives ``id``, ``at`` (ISO time), ``direction``, ``kind`` and ``amount``; optionally
``business_date`` (default: the date of ``at``), ``account_id``, ``branch_id``, ``counterparty_key``,
``counterparty_country`` and ``account_idle_days``. A file may give a ``context`` (what the customer declared)
for all its sequences, and a sequence its own. The loader is also what ``manage.py`` and the docs use to show a
typology's vectors.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from apps.compliance.models.monitoring import CHANNEL_OF_KIND, MovementKind
from apps.compliance.typologies.base import CustomerContext, Movement

VECTORS_DIR = Path(__file__).parent / "vectors"


@dataclass(frozen=True)
class VectorSequence:
    typology: str
    name: str
    movements: list[Movement]
    parameters: dict[str, Any]
    context: CustomerContext | None
    expected_triggers: list[int]  # empty for a near miss
    currency: str


def movement_from_vector(raw: dict[str, Any], *, currency: str, customer_id: int = 1) -> Movement:
    at = datetime.datetime.fromisoformat(raw["at"].replace("Z", "+00:00"))
    kind = MovementKind(raw["kind"])
    business_date = datetime.date.fromisoformat(raw["business_date"]) if "business_date" in raw else at.date()
    return Movement(
        id=raw["id"], customer_id=raw.get("customer_id", customer_id), account_id=raw.get("account_id", 1),
        direction=raw["direction"], channel=str(CHANNEL_OF_KIND[kind]), kind=str(kind),
        amount=Decimal(raw["amount"]), currency=raw.get("currency", currency), occurred_at=at,
        business_date=business_date, branch_id=raw.get("branch_id"),
        counterparty_key=raw.get("counterparty_key", ""), counterparty_country=raw.get("counterparty_country", ""),
        account_idle_days=raw.get("account_idle_days"),
    )


def _context(raw: dict[str, Any] | None) -> CustomerContext | None:
    if raw is None:
        return None
    return CustomerContext(
        customer_id=1, risk_rating=raw.get("risk_rating", "low"),
        declared_monthly_income=Decimal(raw["declared_monthly_income"]) if raw.get("declared_monthly_income") else None,
        expected_monthly_turnover=(Decimal(raw["expected_monthly_turnover"])
                                   if raw.get("expected_monthly_turnover") else None),
        business_activity=raw.get("business_activity", ""),
    )


def load_vectors(path: Path) -> list[VectorSequence]:
    document = json.loads(path.read_text())
    currency = document["currency"]
    sequences = []
    for group, expecting in (("vectors", True), ("near_misses", False)):
        for raw in document.get(group, []):
            sequences.append(VectorSequence(
                typology=document["typology"], name=raw["name"],
                movements=sorted((movement_from_vector(m, currency=currency) for m in raw["movements"]),
                                 key=lambda m: (m.occurred_at, m.id)),
                parameters={**document.get("parameters", {}), **raw.get("parameters", {})},
                context=_context(raw.get("context", document.get("context"))),
                expected_triggers=list(raw["expect"]) if expecting else [],
                currency=currency,
            ))
    return sequences


def vector_files() -> list[Path]:
    return sorted(VECTORS_DIR.glob("*.json"))
