"""The schedule engine's rules, case by case and as properties over random loans (pure Python, no database)."""

import datetime
import itertools
import random
from decimal import Decimal

import pytest

from apps.loans.errors import ScheduleRefused
from apps.loans.product_terms import Amortization, DueDateRule, FeeKind, FeeTreatment, RepaymentFrequency
from apps.loans.schedule import ScheduleTerms, build_schedule

D = datetime.date


def terms(**overrides) -> ScheduleTerms:
    values = dict(currency="EUR", amount=Decimal("100"), annual_rate=Decimal("9.4822"), term=6,
                  disbursement_date=D(2011, 7, 1), first_repayment_date=D(2011, 8, 1), due_date_rule="none")
    values.update(overrides)
    return ScheduleTerms(**values)


def test_fineracts_published_case_emi_17_13_and_a_last_instalment_of_17_00_principal_and_0_13_interest():
    schedule = build_schedule(terms())
    assert schedule.regular_instalment == Decimal("17.13")
    assert [i.total for i in schedule.instalments] == [Decimal("17.13")] * 6
    assert [i.interest for i in schedule.instalments] == [Decimal(x) for x in
                                                           ("0.79", "0.66", "0.53", "0.40", "0.27", "0.13")]
    last = schedule.instalments[-1]
    assert (last.principal, last.interest, last.outstanding) == (Decimal("17.00"), Decimal("0.13"), Decimal("0"))
    assert schedule.total_principal == Decimal("100")
    assert schedule.total_interest == Decimal("2.78")


def test_monthly_dates_count_from_the_first_repayment_and_keep_the_month_end():
    schedule = build_schedule(terms(disbursement_date=D(2025, 1, 15), first_repayment_date=D(2025, 1, 31),
                                    term=4))
    assert [i.period_end for i in schedule.instalments] == [D(2025, 1, 31), D(2025, 2, 28), D(2025, 3, 31),
                                                            D(2025, 4, 30)]
    assert schedule.instalments[0].period_start == D(2025, 1, 15)


@pytest.mark.parametrize(("frequency", "second"), [
    (RepaymentFrequency.WEEKLY, D(2025, 3, 10)), (RepaymentFrequency.BIWEEKLY, D(2025, 3, 17)),
    (RepaymentFrequency.MONTHLY, D(2025, 4, 3)), (RepaymentFrequency.QUARTERLY, D(2025, 6, 3)),
])
def test_each_frequency_steps_its_period(frequency, second):
    schedule = build_schedule(terms(frequency=frequency, disbursement_date=D(2025, 2, 24),
                                    first_repayment_date=D(2025, 3, 3)))
    assert schedule.instalments[1].period_end == second


def test_a_due_date_on_a_weekend_or_a_holiday_moves_to_the_next_business_day_and_the_interest_stays():
    holidays = {D(2025, 6, 2)}  # a Monday
    kept = build_schedule(terms(disbursement_date=D(2025, 4, 1), first_repayment_date=D(2025, 5, 1), term=3))
    moved = build_schedule(terms(disbursement_date=D(2025, 4, 1), first_repayment_date=D(2025, 5, 1), term=3,
                                 due_date_rule=DueDateRule.NEXT_BUSINESS_DAY, holidays=holidays))
    # 1 June 2025 is a Sunday, 2 June the holiday: due on Tuesday 3 June.
    assert [i.due_date for i in moved.instalments] == [D(2025, 5, 1), D(2025, 6, 3), D(2025, 7, 1)]
    assert [i.due_date for i in kept.instalments] == [D(2025, 5, 1), D(2025, 6, 1), D(2025, 7, 1)]
    assert [(i.principal, i.interest) for i in moved.instalments] == [(i.principal, i.interest)
                                                                      for i in kept.instalments]


def test_a_long_first_period_collects_its_own_interest_and_the_last_instalment_absorbs_the_rest():
    schedule = build_schedule(terms(disbursement_date=D(2025, 1, 1), first_repayment_date=D(2025, 2, 20),
                                    amount=Decimal("1000"), annual_rate=Decimal("12"), term=3))
    first = schedule.instalments[0]
    assert first.interest == Decimal("16.33")  # 49 days of 30-day months: 1000 x 12 % x 49/360
    assert first.total == schedule.regular_instalment
    assert schedule.total_principal == Decimal("1000")


def test_equal_principal_repays_the_same_principal_and_interest_falls():
    schedule = build_schedule(terms(amortization=Amortization.EQUAL_PRINCIPAL, amount=Decimal("1000"), term=3,
                                    annual_rate=Decimal("12")))
    assert [i.principal for i in schedule.instalments] == [Decimal("333.33"), Decimal("333.33"),
                                                           Decimal("333.34")]
    assert [i.interest for i in schedule.instalments] == [Decimal("10.00"), Decimal("6.67"), Decimal("3.33")]


def test_flat_interest_is_on_the_amount_for_the_whole_term_spread_equally():
    schedule = build_schedule(terms(amortization=Amortization.FLAT, amount=Decimal("1000"), term=3,
                                    annual_rate=Decimal("12")))
    # 1000 x 12 % x 3/12 = 30.00, 10.00 an instalment, whatever the balance.
    assert [i.interest for i in schedule.instalments] == [Decimal("10.00")] * 3
    assert [i.total for i in schedule.instalments] == [Decimal("343.33"), Decimal("343.33"), Decimal("343.34")]


def test_grace_on_principal_collects_interest_only_then_amortises_over_the_rest():
    schedule = build_schedule(terms(amount=Decimal("1200"), annual_rate=Decimal("12"), term=4, principal_grace=2))
    assert [i.principal for i in schedule.instalments[:2]] == [Decimal("0"), Decimal("0")]
    assert [i.interest for i in schedule.instalments[:2]] == [Decimal("12.00"), Decimal("12.00")]
    assert schedule.instalments[2].total == schedule.regular_instalment
    assert abs(schedule.instalments[3].total - schedule.regular_instalment) <= Decimal("0.01")  # the residue
    assert schedule.total_principal == Decimal("1200")


def test_grace_on_interest_that_accrues_is_collected_with_the_first_instalment_after_it():
    schedule = build_schedule(terms(amount=Decimal("1200"), annual_rate=Decimal("12"), term=4, principal_grace=2,
                                    interest_grace=2, grace_interest_accrues=True))
    assert [i.total for i in schedule.instalments[:2]] == [Decimal("0"), Decimal("0")]
    third = schedule.instalments[2]
    assert third.interest == Decimal("36.00")  # two deferred months and its own
    assert third.total == schedule.regular_instalment + Decimal("24.00")


def test_grace_on_interest_that_does_not_accrue_is_waived():
    schedule = build_schedule(terms(amount=Decimal("1200"), annual_rate=Decimal("12"), term=4, principal_grace=2,
                                    interest_grace=2, grace_interest_accrues=False))
    assert schedule.total_interest == Decimal("12.00") + Decimal("6.03")
    assert schedule.instalments[2].interest == Decimal("12.00")


def test_rounding_to_a_multiple_rounds_the_instalment_and_the_last_one_takes_the_residue():
    schedule = build_schedule(terms(amount=Decimal("1000"), annual_rate=Decimal("10"), term=12,
                                    rounding_multiple=Decimal("5")))
    assert schedule.regular_instalment == Decimal("90")  # 87.92 to the nearest 5
    assert all(i.total == Decimal("90") for i in schedule.instalments[:-1])
    assert schedule.total_principal == Decimal("1000")
    assert schedule.instalments[-1].total < Decimal("90")


def test_a_fee_added_to_the_principal_bears_interest_and_is_repaid_with_it():
    schedule = build_schedule(terms(amount=Decimal("1000"), fee_kind=FeeKind.PERCENTAGE, fee_value=Decimal("2.5"),
                                    fee_treatment=FeeTreatment.CAPITALISED))
    assert (schedule.origination_fee, schedule.principal, schedule.net_disbursed) == (
        Decimal("25.00"), Decimal("1025.00"), Decimal("1000"))
    assert schedule.total_principal == Decimal("1025.00")


def test_a_deducted_fee_reduces_what_is_paid_out_not_what_is_repaid():
    schedule = build_schedule(terms(amount=Decimal("1000"), fee_kind=FeeKind.FIXED, fee_value=Decimal("30"),
                                    fee_treatment=FeeTreatment.DEDUCTED))
    assert (schedule.principal, schedule.net_disbursed) == (Decimal("1000"), Decimal("970"))
    assert schedule.total_principal == Decimal("1000")


def test_a_zero_rate_repays_the_amount_in_equal_parts():
    schedule = build_schedule(terms(amount=Decimal("100"), annual_rate=Decimal("0"), term=3))
    assert [i.total for i in schedule.instalments] == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]


@pytest.mark.parametrize(("overrides", "code"), [
    (dict(term=0), "term_not_positive"),
    (dict(amount=Decimal("0")), "amount_not_positive"),
    (dict(annual_rate=Decimal("-1")), "rate_negative"),
    (dict(principal_grace=6), "grace_too_long"),
    (dict(principal_grace=1, interest_grace=2), "grace_too_long"),
    (dict(first_repayment_date=D(2011, 7, 1)), "first_repayment_not_after_disbursement"),
    (dict(first_repayment_date=D(2011, 12, 1)), "first_repayment_too_late"),
    (dict(fee_kind=FeeKind.FIXED, fee_value=Decimal("100")), "fee_exceeds_amount"),
    (dict(rounding_multiple=Decimal("1000")), "rounding_multiple_too_big"),
])
def test_terms_no_schedule_can_honour_are_refused_with_a_code(overrides, code):
    with pytest.raises(ScheduleRefused) as refused:
        build_schedule(terms(**overrides))
    assert refused.value.code == code


def _random_terms(rng: random.Random, **fixed) -> ScheduleTerms:
    term = rng.randint(1, 48)
    principal_grace = rng.randint(0, min(term - 1, 4))
    values = dict(
        currency=rng.choice(["EUR", "JPY", "KWD"]),
        amount=Decimal(rng.randint(100_00, 1_000_000_00)) / 100,
        annual_rate=Decimal(rng.randint(0, 250_000)) / 10_000,
        term=term,
        frequency=rng.choice(RepaymentFrequency.values),
        amortization=rng.choice(Amortization.values),
        day_count=rng.choice(["act_365f", "act_360", "30_360_us", "act_act_isda", "30_360_months"]),
        disbursement_date=D(2024, 1, 1) + datetime.timedelta(days=rng.randint(0, 700)),
        principal_grace=principal_grace,
        interest_grace=rng.randint(0, principal_grace),
        grace_interest_accrues=rng.random() < 0.5,
        fee_kind=rng.choice(FeeKind.values),
        fee_value=Decimal(rng.randint(0, 300)) / 100,
        fee_treatment=rng.choice(FeeTreatment.values),
        rounding_multiple=rng.choice([None, None, Decimal("1"), Decimal("0.05"), Decimal("10")]),
        due_date_rule=rng.choice(DueDateRule.values),
        holidays=frozenset(D(2024, 1, 1) + datetime.timedelta(days=rng.randint(0, 2000)) for _ in range(20)),
    )
    values.update(fixed)
    if values["currency"] == "JPY":
        values["amount"] = values["amount"].quantize(Decimal(1))
    return ScheduleTerms(**values)


def test_property_principal_sums_exactly_to_the_amount_financed_in_every_method_and_currency():
    rng = random.Random(13)
    for _ in range(2000):
        t = _random_terms(rng)
        schedule = build_schedule(t)
        assert schedule.total_principal == schedule.principal, t
        assert schedule.instalments[-1].outstanding == 0, t
        balances = [schedule.principal] + [i.outstanding for i in schedule.instalments]
        assert all(a >= b >= 0 for a, b in itertools.pairwise(balances)), t
        for instalment in schedule.instalments:
            assert instalment.total == instalment.principal + instalment.interest + instalment.fees
            assert instalment.due_date >= instalment.period_end
            for amount in (instalment.principal, instalment.interest):
                assert amount >= 0 and amount == amount.quantize(Decimal(1).scaleb(-{"EUR": 2, "JPY": 0,
                                                                                     "KWD": 3}[t.currency]))


def test_property_equal_principal_and_flat_repay_the_same_principal_but_for_the_last():
    rng = random.Random(14)
    for _ in range(500):
        t = _random_terms(rng, amortization=rng.choice([Amortization.EQUAL_PRINCIPAL, Amortization.FLAT]))
        schedule = build_schedule(t)
        repaying = schedule.instalments[t.principal_grace:]
        assert {i.principal for i in repaying[:-1]} <= {schedule.regular_instalment}, t


def test_property_flat_interest_does_not_depend_on_the_balance():
    rng = random.Random(15)
    for _ in range(500):
        t = _random_terms(rng, amortization=Amortization.FLAT, interest_grace=0, principal_grace=0)
        interest = [i.interest for i in build_schedule(t).instalments]
        assert len(set(interest[:-1])) <= 1, t


def test_property_grace_periods_repay_no_principal_and_interest_grace_collects_no_interest():
    rng = random.Random(16)
    for _ in range(500):
        t = _random_terms(rng)
        schedule = build_schedule(t)
        assert all(i.principal == 0 for i in schedule.instalments[:t.principal_grace]), t
        assert all(i.interest == 0 for i in schedule.instalments[:t.interest_grace]), t


def test_property_a_rounding_multiple_makes_every_regular_instalment_a_multiple():
    rng = random.Random(17)
    for _ in range(500):
        multiple = rng.choice([Decimal("1"), Decimal("0.05"), Decimal("10")])
        t = _random_terms(rng, rounding_multiple=multiple, currency="EUR", amortization=Amortization.ANNUITY,
                          interest_grace=0, principal_grace=0)
        schedule = build_schedule(t)
        if schedule.regular_instalment <= 0:
            continue
        assert schedule.regular_instalment % multiple == 0, t
        assert schedule.total_principal == t.amount + (schedule.origination_fee
                                                       if t.fee_treatment == FeeTreatment.CAPITALISED else 0)


def test_property_a_fee_added_to_the_principal_is_repaid_in_full_and_one_deducted_is_not():
    rng = random.Random(18)
    for _ in range(500):
        t = _random_terms(rng, fee_kind=FeeKind.PERCENTAGE, fee_value=Decimal("2"))
        schedule = build_schedule(t)
        if t.fee_treatment == FeeTreatment.CAPITALISED:
            assert schedule.total_principal == t.amount + schedule.origination_fee
            assert schedule.net_disbursed == t.amount
        else:
            assert schedule.total_principal == t.amount
            assert schedule.net_disbursed == t.amount - schedule.origination_fee
