"""The schedule engine (Decimal) against numpy-financial's pmt, ipmt and ppmt, the oracle, over 10,000 random
annuities: monthly and quarterly, 30-day months (so every period is exactly a twelfth or a quarter of a year,
the periodic rate numpy-financial assumes), amounts from 100.00 to 500,000.00, rates from 0 to 30 %, terms of
1 to 60 instalments.

- every instalment (EMI) agrees with ``pmt`` to the cent;
- the first instalment's interest agrees with ``ipmt`` to the cent, its principal with ``ppmt`` within a cent
  (the engine's principal is the rounded EMI less the rounded interest);
- every later instalment's interest and principal agree with ``ipmt``/``ppmt`` within the drift rounding can
  cause: the engine's balance departs from the exact one by at most a cent a period, compounded (tracked here);
- the principal sums exactly to the amount.
Pure Python and numpy, no database; a few seconds.
"""

import datetime
import random
from decimal import Decimal

import numpy
import numpy_financial as npf

from apps.loans.product_terms import RepaymentFrequency
from apps.loans.schedule import ScheduleTerms, build_schedule

LOANS = 10_000
CENT = Decimal("0.01")
CENT_FLOAT = 0.01
SLACK = 1e-6


def _exact(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def _cents(value: float) -> Decimal:
    return _exact(value).quantize(CENT)


def _random_terms(rng: random.Random) -> ScheduleTerms:
    monthly = rng.random() < 0.8
    return ScheduleTerms(
        currency="EUR",
        amount=Decimal(rng.randint(10_000, 50_000_000)) / 100,
        annual_rate=Decimal(rng.randint(0, 300_000)) / 10_000,
        term=rng.randint(1, 60 if monthly else 20),
        frequency=RepaymentFrequency.MONTHLY if monthly else RepaymentFrequency.QUARTERLY,
        day_count="30_360_months",
        disbursement_date=datetime.date(2025, rng.randint(1, 12), rng.randint(1, 28)),
        due_date_rule="none",
    )


def test_the_engine_agrees_with_numpy_financial_over_ten_thousand_random_loans():
    rng = random.Random(20261201)
    loans = [_random_terms(rng) for _ in range(LOANS)]
    # The oracle in one vectorised call per term (numpy-financial broadcasts rates and amounts).
    by_term: dict[int, list[ScheduleTerms]] = {}
    for terms in loans:
        by_term.setdefault(terms.term, []).append(terms)
    checked = 0
    for n, group in by_term.items():
        rates = numpy.array([float(t.annual_rate) / 100 / (12 if t.frequency == RepaymentFrequency.MONTHLY else 4)
                             for t in group])[:, None]
        amounts = numpy.array([float(t.amount) for t in group])[:, None]
        periods = numpy.arange(1, n + 1)[None, :]
        payments = -npf.pmt(rates[:, 0], n, amounts[:, 0])
        interests = -npf.ipmt(rates, periods, n, amounts)
        principals = -npf.ppmt(rates, periods, n, amounts)
        for index, terms in enumerate(group):
            _agrees(terms, build_schedule(terms), float(rates[index, 0]), payments[index], interests[index],
                    principals[index])
            checked += 1
    assert checked == LOANS


def _agrees(terms, schedule, rate, payment, interest, principal) -> None:
    case = (terms.amount, terms.annual_rate, terms.term, terms.frequency)
    assert schedule.regular_instalment == _cents(payment), case
    assert sum(i.principal for i in schedule.instalments) == terms.amount, case
    assert schedule.instalments[-1].outstanding == 0, case
    assert schedule.instalments[0].interest == _cents(interest[0]), case
    assert abs(float(schedule.instalments[0].principal) - principal[0]) <= CENT_FLOAT + SLACK, case
    # Compared in floats from here (the bounds are in cents, far above a float's error): fast enough for 10,000.
    drift = 0.0
    for instalment, exact_interest, exact_principal in zip(schedule.instalments, interest.tolist(),
                                                           principal.tolist(), strict=True):
        interest_bound = rate * drift + CENT_FLOAT / 2 + SLACK
        assert abs(float(instalment.interest) - exact_interest) <= interest_bound, (case, instalment)
        assert abs(float(instalment.principal) - exact_principal) <= interest_bound + drift + CENT_FLOAT, (
            case, instalment)
        drift = drift * (1 + rate) + CENT_FLOAT
