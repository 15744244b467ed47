"""What the window typologies share: a bound on their window parameters, and a score that grows with how far
past its threshold a pattern went.

Every window typology raises a finding on the *edge*: at the movement where its condition turns from false to
true. While the condition holds it keeps quiet; once it is false again the pattern may start over. Whether a
movement is an edge depends only on its own window and the window of the movement before it, so a scan that
starts ``lookback`` (twice the longest window a setting may ask for) before the movement decides exactly as a
scan over the customer's whole history would: the near-real-time path, the end of day and a backtest agree.
That is why each window parameter has a maximum (``at_most``), checked when compliance saves a setting.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from apps.compliance.typologies.base import ParameterError


def at_most(clean: Mapping[str, Any], name: str, maximum: int, label: str) -> None:
    if int(clean[name]) > maximum:
        raise ParameterError(f"{label}: at most {maximum} (the typology's look-back covers no more).")


def graded_score(base: int, value: Decimal | int, threshold: Decimal | int, *, step: int = 10,
                 ceiling: int = 95) -> int:
    """``base`` at the threshold, ``step`` more for each further multiple of the threshold, at most
    ``ceiling``."""
    if not threshold:
        return base
    over = Decimal(value) / Decimal(threshold) - 1
    return max(0, min(ceiling, base + int(over * step)))
