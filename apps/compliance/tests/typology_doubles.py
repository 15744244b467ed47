"""Typologies that exist only in the tests: one that fails until told otherwise, one that looks over a day.
Registered for a test by the ``library_with`` fixture and removed after it, so the library is as it ships."""

from __future__ import annotations

import datetime

from apps.compliance.typologies.base import END_OF_DAY, REALTIME, Finding, Parameter, Typology


class Broken(Typology):
    """Raises while ``failing`` is set; then alerts on nothing."""

    code = "test_broken"
    version = 1
    name = "Broken (tests only)"
    description = "Raises while failing is set."
    schedule = REALTIME
    lookback = datetime.timedelta(0)
    parameters = ()
    failing = True

    def scan(self, movements, *, parameters, context=None):
        if type(self).failing:
            raise RuntimeError("the typology is broken")
        return []


class TwoInADay(Typology):
    """End of day: two or more movements on one business date; the trigger is the day's second."""

    code = "test_two_in_a_day"
    version = 1
    name = "Two in a day (tests only)"
    description = "Two movements on one business date."
    schedule = END_OF_DAY
    lookback = datetime.timedelta(days=1)
    parameters = (Parameter("at_least", "integer", "Movements at least", 2),)
    failing = False

    def scan(self, movements, *, parameters, context=None):
        if type(self).failing:
            raise RuntimeError("the window typology is broken")
        by_date: dict[datetime.date, list] = {}
        for m in movements:
            by_date.setdefault(m.business_date, []).append(m)
        return [Finding(typology=self.code, customer_id=day[0].customer_id, trigger_id=day[1].id,
                        movement_ids=tuple(m.id for m in day), score=30, summary=f"{len(day)} movements on {date}")
                for date, day in by_date.items() if len(day) >= parameters["at_least"]]
