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
FLOAT_SLACK = Decimal("0.000001")


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
    assert abs(schedule.instalments[0].principal - _exact(principal[0])) <= CENT + FLOAT_SLACK, case
    drift, r = Decimal(0), _exact(rate)
    for instalment, exact_interest, exact_principal in zip(schedule.instalments, interest, principal, strict=True):
        interest_bound = r * drift + CENT / 2 + FLOAT_SLACK
        assert abs(instalment.interest - _exact(exact_interest)) <= interest_bound, (case, instalment)
        assert abs(instalment.principal - _exact(exact_principal)) <= interest_bound + drift + CENT, (
            case, instalment)
        drift = drift * (1 + r) + CENT
