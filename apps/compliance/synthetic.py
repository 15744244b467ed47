"""A synthetic bank in the spirit of IBM's AMLSim: ordinary customers with their habits, and seeded laundering
patterns whose customers are recorded, so that what the typology library finds can be scored.

``build_scenario(customers=…, days=…, seed=…)`` returns a ``Scenario``: every customer's movements (``Movement``,
in memory, ids from 1), what the customers declared (``CustomerContext``), the journal entries the movements
belong to (a transfer within the bank is one entry of two movements) and the seeded patterns, each with the
typology that must alert it and the movements that make it. The same seed gives the same bank.

Ordinary habits (the share of customers in brackets): salaried (45%: a monthly salary from an employer, rent to
a landlord of the bank, bills, card-like small payments to merchants, cash from the counter now and then, some
put money aside into their own second account), students (15%: an allowance, small payments), retired (15%: a
pension, fewer payments, weekly cash), shops (12%: daily card settlements from the acquirer, cash takings paid
in twice a week, suppliers, a monthly payroll), landlords (8%: rents in, a mortgage out) and the well-off (5%:
a large salary, now and then a round sum to a broker). Amounts are drawn around each customer's own levels.

Seeded patterns, on customers of their own (each also has a salaried customer's ordinary life): fan-in,
fan-out, a cycle of four customers (each hop is a rapid movement for the three who pass the money on),
structuring, rapid movement, round amounts, high-risk geography, dormant reactivation, velocity, profile
deviation and large cash. Pure Python: ``manage.py generate_aml_scenarios`` writes a scenario to the database.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from apps.compliance.typologies.base import CustomerContext, Movement

HABITS = (("salaried", 45), ("student", 15), ("retired", 15), ("shop", 12), ("landlord", 8), ("well_off", 5))
PATTERNS = ("fan_in", "fan_out", "cycle", "structuring", "rapid_movement", "round_amounts", "high_risk_geography",
            "dormant_reactivation", "velocity", "profile_deviation", "large_cash")
# The typology that must alert each pattern (a cycle: each member that passes the money on).
EXPECTED_TYPOLOGY = {pattern: pattern for pattern in PATTERNS} | {"cycle": "rapid_movement"}
BRANCHES = (1, 2, 3, 4)
HOME_COUNTRIES = ("PT", "PT", "PT", "ES", "FR", "DE")
HIGH_RISK = ("IR", "KP", "MM")
WARM_UP_DAYS = 35


@dataclass(frozen=True)
class SyntheticCustomer:
    customer_id: int
    habit: str  # one of HABITS, or "suspect"
    account_ids: tuple[int, ...]
    branch_id: int
    customer_type: str = "individual"  # or "business"


@dataclass(frozen=True)
class SeededPattern:
    pattern: str
    customer_id: int
    typology: str  # the typology that must alert it
    movement_ids: tuple[int, ...]


@dataclass
class Scenario:
    seed: int
    start: datetime.date
    days: int
    currency: str
    customers: list[SyntheticCustomer]
    movements: list[Movement]
    contexts: dict[int, CustomerContext]
    entries: list[tuple[int, ...]]  # the movement ids of each journal entry
    seeded: list[SeededPattern]
    suspect_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def measured_from(self) -> datetime.date:
        """The first day alerts are counted from: the days before are the customers' history (a real bank has
        it from before; a scenario makes it), and the seeded patterns all fall after it."""
        return self.start + datetime.timedelta(days=WARM_UP_DAYS)

    def ordinary_customer_ids(self) -> list[int]:
        return [c.customer_id for c in self.customers if c.customer_id not in self.suspect_ids]


# The generator draws sizes with ``random`` (floats: a draw, never an amount). Each draw becomes money once, here,
# as a whole number of cents (or of ``unit``s); from then on every amount is a Decimal.
def _cents(value: float) -> Decimal:
    return Decimal(max(1, round(value * 100))).scaleb(-2)


def _scaled(amount: Decimal, factor: float) -> Decimal:
    """``amount`` times a drawn factor, in Decimal, to the cent (the factor kept to four decimals)."""
    return (amount * Decimal(f"{factor:.4f}")).quantize(Decimal("0.01"))


def _whole(value: float, unit: int) -> Decimal:
    return Decimal(max(1, round(value / unit)) * unit).quantize(Decimal("0.01"))


class _Bank:
    """Draws the movements. Each raw movement is a list that becomes a ``Movement`` once the accounts' idle days
    are known (they depend on every movement of the account)."""

    def __init__(self, *, seed: int, start: datetime.date, days: int, currency: str):
        self.rng = random.Random(seed)
        self.start, self.days, self.currency = start, days, currency
        self.midnight = datetime.datetime.combine(start, datetime.time(0), tzinfo=datetime.UTC)
        self.raw: list[list] = []
        self.entries: list[tuple[int, ...]] = []
        self.customers: list[SyntheticCustomer] = []
        self.contexts: dict[int, CustomerContext] = {}
        self.last_seen: dict[int, datetime.date] = {}  # account -> its last movement before the scenario
        self.account_owner: dict[int, int] = {}
        self.next_account = 1
        self.merchants = [f"iban:PT50{i:021d}" for i in range(400)]
        self.employers = [f"iban:{self.rng.choice(HOME_COUNTRIES)}{10 ** 15 + i}" for i in range(60)]
        self.landlords: list[SyntheticCustomer] = []

    # --- customers and movements ---
    def customer(self, habit: str, *, accounts: int = 1, customer_type: str = "individual") -> SyntheticCustomer:
        ids = tuple(range(self.next_account, self.next_account + accounts))
        self.next_account += accounts
        made = SyntheticCustomer(customer_id=len(self.customers) + 1, habit=habit, account_ids=ids,
                                 branch_id=self.rng.choice(BRANCHES), customer_type=customer_type)
        for account in ids:
            self.account_owner[account] = made.customer_id
            self.last_seen[account] = self.start - datetime.timedelta(days=self.rng.randint(1, 6))
        self.customers.append(made)
        return made

    def add_account(self, who: SyntheticCustomer) -> int:
        """Another account for ``who``, kept out of their habits (a dormant one, say)."""
        account = self.next_account
        self.next_account += 1
        self.account_owner[account] = who.customer_id
        index = self.customers.index(who)
        self.customers[index] = SyntheticCustomer(customer_id=who.customer_id, habit=who.habit,
                                                  account_ids=(*who.account_ids, account), branch_id=who.branch_id,
                                                  customer_type=who.customer_type)
        return account

    def at(self, day: int, *, hour_from: int = 7, hour_to: int = 22) -> datetime.datetime:
        seconds = self.rng.randint(hour_from * 3600, hour_to * 3600 - 1)
        return self.midnight + datetime.timedelta(days=day, seconds=seconds)

    def _movement(self, *, customer_id, account_id, direction, channel, kind, amount, when, branch_id=None,
                  counterparty_key="", counterparty_country="") -> int:
        movement_id = len(self.raw) + 1
        self.raw.append([movement_id, customer_id, account_id, direction, channel, kind, amount, when, branch_id,
                         counterparty_key, counterparty_country])
        return movement_id

    def cash(self, who: SyntheticCustomer, direction: str, amount: Decimal, when, *, account_id=None,
             branch_id=None) -> int:
        movement_id = self._movement(
            customer_id=who.customer_id, account_id=account_id or who.account_ids[0], direction=direction,
            channel="cash", kind="cash_deposit" if direction == "in" else "cash_withdrawal", amount=amount,
            when=when, branch_id=branch_id or who.branch_id)
        self.entries.append((movement_id,))
        return movement_id

    def external(self, who: SyntheticCustomer, direction: str, amount: Decimal, when, *, key: str,
                 country: str = "PT", account_id=None) -> int:
        movement_id = self._movement(
            customer_id=who.customer_id, account_id=account_id or who.account_ids[0], direction=direction,
            channel="external", kind="incoming_payment" if direction == "in" else "outgoing_payment",
            amount=amount, when=when, counterparty_key=key, counterparty_country=country)
        self.entries.append((movement_id,))
        return movement_id

    def transfer(self, payer: SyntheticCustomer, payee: SyntheticCustomer, amount: Decimal, when, *,
                 from_account=None, to_account=None) -> tuple[int, int]:
        source, target = from_account or payer.account_ids[0], to_account or payee.account_ids[0]
        out_id = self._movement(customer_id=payer.customer_id, account_id=source, direction="out", channel="internal",
                                kind="transfer", amount=amount, when=when, counterparty_key=f"account:{target}")
        in_id = self._movement(customer_id=payee.customer_id, account_id=target, direction="in", channel="internal",
                               kind="transfer", amount=amount, when=when, counterparty_key=f"account:{source}")
        self.entries.append((out_id, in_id))
        return out_id, in_id

    def monthly(self, day_of_month: int):
        """The scenario's days that fall on ``day_of_month`` (or the month's last day before it)."""
        for day in range(self.days):
            if (self.start + datetime.timedelta(days=day)).day == day_of_month:
                yield day

    # --- ordinary habits ---
    def everyday_spending(self, who, *, per_day: float, typical: float, cash_every: int, cash_typical: float):
        rng = self.rng
        merchants = rng.sample(self.merchants, 25)
        for day in range(self.days):
            count = int(per_day) + (rng.random() < per_day - int(per_day))
            for _ in range(count):
                self.external(who, "out", _cents(rng.lognormvariate(0, 0.8) * typical), self.at(day),
                              key=rng.choice(merchants))
            if cash_every and rng.random() < 1 / cash_every:
                self.cash(who, "out", _whole(rng.uniform(0.3, 1.7) * cash_typical, 10), self.at(day, hour_to=19))

    def salaried(self, who, *, salary_from=900, salary_to=4500):
        rng = self.rng
        salary = rng.uniform(salary_from, salary_to)
        employer = rng.choice(self.employers)
        payday = rng.randint(24, 28)
        for day in self.monthly(payday):
            amount = _cents(salary * rng.uniform(0.97, 1.05))
            when = self.at(day + rng.randint(0, 1), hour_to=12) if day + 1 < self.days else self.at(day, hour_to=12)
            self.external(who, "in", amount, when, key=employer)
        if self.landlords and rng.random() < 0.6:
            landlord, rent = rng.choice(self.landlords), _whole(salary * rng.uniform(0.25, 0.4), 50)
            for day in self.monthly(rng.randint(1, 5)):
                self.transfer(who, landlord, rent, self.at(day))
        bills = rng.sample(self.merchants[300:], 3)
        for key in bills:
            amount = rng.uniform(25, 120)
            for day in self.monthly(rng.randint(6, 20)):
                self.external(who, "out", _cents(amount * rng.uniform(0.8, 1.2)), self.at(day), key=key)
        if len(who.account_ids) > 1:
            aside = _whole(salary * rng.uniform(0.05, 0.15), 10)
            for day in self.monthly(min(28, payday + 2)):
                self.transfer(who, who, aside, self.at(day), from_account=who.account_ids[0],
                              to_account=who.account_ids[1])
        if rng.random() < 0.2:
            for day in range(self.days):
                if rng.random() < 1 / 45:
                    self.cash(who, "in", _whole(rng.uniform(50, 600), 10), self.at(day, hour_from=9, hour_to=16))
        self.everyday_spending(who, per_day=rng.uniform(0.5, 2.5), typical=rng.uniform(10, 40),
                               cash_every=rng.choice((7, 10, 14, 30)), cash_typical=rng.uniform(40, 200))
        if rng.random() < 0.7:
            self.declare(who, income=_whole(salary * rng.uniform(1.2, 1.8), 100))
        return salary

    def student(self, who):
        rng = self.rng
        parent = rng.choice(self.employers)
        allowance = rng.uniform(150, 600)
        for day in self.monthly(rng.randint(1, 28)):
            self.external(who, "in", _whole(allowance, 10), self.at(day), key=parent)
        self.everyday_spending(who, per_day=rng.uniform(0.5, 2), typical=rng.uniform(4, 15), cash_every=14,
                               cash_typical=40)

    def retired(self, who):
        rng = self.rng
        pension = rng.uniform(500, 2200)
        for day in self.monthly(rng.choice((8, 12, 20))):
            self.external(who, "in", _cents(pension), self.at(day, hour_to=10), key="iban:PT50000000000000SEGSOCIAL")
        self.everyday_spending(who, per_day=rng.uniform(0.2, 1), typical=rng.uniform(10, 35), cash_every=7,
                               cash_typical=rng.uniform(40, 150))
        if rng.random() < 0.5:
            self.declare(who, income=_whole(pension * rng.uniform(1.1, 1.5), 100))

    def shop(self, who):
        rng = self.rng
        daily = rng.uniform(200, 2500)
        acquirer = "iban:PT50000000000000ACQUIRER1"
        suppliers = rng.sample(self.merchants[200:300], rng.randint(4, 9))
        staff = [rng.choice(self.employers).replace("iban:", "iban:X") + str(i) for i in range(rng.randint(1, 5))]
        monthly_in = 0.0
        for day in range(self.days):
            weekday = (self.start + datetime.timedelta(days=day)).weekday()
            if weekday < 6:
                amount = daily * rng.uniform(0.5, 1.6)
                monthly_in += amount
                self.external(who, "in", _cents(amount), self.at(day, hour_from=5, hour_to=7), key=acquirer)
            if weekday in (1, 4):
                self.cash(who, "in", _whole(daily * rng.uniform(0.3, 1.2), 10), self.at(day, hour_from=9, hour_to=17))
            if rng.random() < 0.35:
                self.external(who, "out", _cents(daily * rng.uniform(0.5, 3)), self.at(day), key=rng.choice(suppliers))
        wage = rng.uniform(800, 1600)
        for day in self.monthly(28):
            for key in staff:
                self.external(who, "out", _cents(wage * rng.uniform(0.9, 1.2)), self.at(day), key=key)
        monthly = monthly_in / max(1, self.days) * 30
        self.declare(who, turnover=_whole(monthly * 2 * rng.uniform(0.9, 1.5), 1000))
        self.everyday_spending(who, per_day=0.3, typical=30, cash_every=0, cash_typical=0)

    def landlord(self, who):
        rng = self.rng
        for day in self.monthly(rng.randint(5, 12)):
            self.external(who, "out", _cents(rng.uniform(400, 1200)), self.at(day), key="iban:PT50000000000000MORTGAGE")
        self.everyday_spending(who, per_day=rng.uniform(0.5, 1.5), typical=rng.uniform(15, 50), cash_every=14,
                               cash_typical=100)

    def well_off(self, who):
        rng = self.rng
        self.salaried(who, salary_from=5000, salary_to=12000)
        broker = "iban:LU28001944006447500" + str(rng.randint(0, 9))
        for day in range(self.days):
            if rng.random() < 1 / 40:
                self.external(who, "out", _whole(rng.uniform(2000, 20000), 1000), self.at(day), key=broker)

    def declare(self, who, *, income=None, turnover=None):
        self.contexts[who.customer_id] = CustomerContext(
            customer_id=who.customer_id, declared_monthly_income=income, expected_monthly_turnover=turnover,
            business_activity="retail shop" if turnover else "")

    # --- the end ---
    def movements(self) -> list[Movement]:
        """Movements with each account's idle days (since its previous movement, or since ``last_seen`` for its
        first), oldest first."""
        self.raw.sort(key=lambda r: (r[7], r[0]))
        previous = dict(self.last_seen)
        made = []
        for (movement_id, customer_id, account_id, direction, channel, kind, amount, when, branch_id, key,
             country) in self.raw:
            day = when.date()
            before = previous.get(account_id)
            previous[account_id] = day
            made.append(Movement(
                id=movement_id, customer_id=customer_id, account_id=account_id, direction=direction,
                channel=channel, kind=kind, amount=amount, currency=self.currency, occurred_at=when,
                business_date=day, branch_id=branch_id, counterparty_key=key, counterparty_country=country,
                account_idle_days=None if before is None else (day - before).days))
        return made


def _seed(bank: _Bank, pattern: str) -> list[SeededPattern]:
    """Plant one ``pattern`` on new customers of its own; returns what was seeded (several for a cycle)."""
    rng = bank.rng
    day = rng.randint(max(WARM_UP_DAYS, bank.days // 2), bank.days - 8)
    expected = EXPECTED_TYPOLOGY[pattern]

    def suspect(accounts=1):
        who = bank.customer("suspect", accounts=accounts)
        bank.salaried(who)
        return who

    def foreign_iban():
        return f"iban:{rng.choice(('GB', 'NL', 'LT', 'CY', 'MT'))}{rng.randint(10 ** 15, 10 ** 16)}"

    if pattern == "cycle":
        members = [suspect() for _ in range(4)]
        amount = rng.uniform(15000, 30000)
        when = bank.at(day, hour_from=8, hour_to=10)
        hops = []
        for i in range(4):
            hops.append(bank.transfer(members[i], members[(i + 1) % 4], _cents(amount), when))
            amount *= rng.uniform(0.98, 0.995)
            when += datetime.timedelta(hours=rng.uniform(1, 4))
        # member i (1..3) received at hop i-1 and passed it on at hop i
        return [SeededPattern(pattern, members[i].customer_id, expected, (hops[i - 1][1], hops[i][0]))
                for i in range(1, 4)]
    if pattern == "dormant_reactivation":
        who = suspect()
        sleeper = bank.add_account(who)
        bank.last_seen[sleeper] = bank.start - datetime.timedelta(days=rng.randint(200, 400))
        ids = [bank.external(who, "in", _cents(rng.uniform(8000, 30000)), bank.at(day), key=foreign_iban(),
                             country="CY", account_id=sleeper)]
        return [SeededPattern(pattern, who.customer_id, expected, tuple(ids))]
    who = suspect()
    ids = []
    if pattern == "fan_in":
        when = bank.at(day)
        for _ in range(rng.randint(12, 16)):
            amount = _cents(rng.uniform(800, 2500))
            ids.append(bank.external(who, "in", amount, when, key=foreign_iban(), country="LT"))
            when += datetime.timedelta(hours=rng.uniform(2, 7))
    elif pattern == "fan_out":
        when = bank.at(day)
        for _ in range(rng.randint(12, 16)):
            amount = _cents(rng.uniform(800, 2500))
            ids.append(bank.external(who, "out", amount, when, key=foreign_iban(), country="NL"))
            when += datetime.timedelta(hours=rng.uniform(2, 7))
    elif pattern == "structuring":
        accounts = who.account_ids
        for offset in range(rng.randint(3, 4)):
            ids.append(bank.cash(who, "in", _whole(rng.uniform(8500, 9900), 10), bank.at(day + offset, hour_from=9,
                                                                                          hour_to=16),
                                 account_id=rng.choice(accounts), branch_id=rng.choice(BRANCHES)))
    elif pattern == "rapid_movement":
        amount = rng.uniform(8000, 40000)
        when = bank.at(day, hour_from=8, hour_to=12)
        ids.append(bank.external(who, "in", _cents(amount), when, key=foreign_iban(), country="GB"))
        ids.append(bank.external(who, "out", _cents(amount * rng.uniform(0.85, 0.99)),
                                 when + datetime.timedelta(hours=rng.uniform(1, 10)), key=foreign_iban(), country="AE"))
    elif pattern == "round_amounts":
        for offset in sorted(rng.sample(range(5), rng.randint(3, 4))):
            ids.append(bank.external(who, "out", _whole(rng.uniform(2000, 20000), 1000), bank.at(day + offset),
                                     key=foreign_iban(), country="CY"))
    elif pattern == "high_risk_geography":
        country = rng.choice(HIGH_RISK)
        ids.append(bank.external(who, rng.choice(("in", "out")), _cents(rng.uniform(2000, 15000)), bank.at(day),
                                 key=f"ref:{country}-{rng.randint(1000, 9999)}", country=country))
    elif pattern == "velocity":
        when = bank.at(day, hour_from=9, hour_to=18)
        for _ in range(rng.randint(12, 16)):
            ids.append(bank.external(who, "out", _cents(rng.uniform(50, 500)), when, key=foreign_iban(), country="LT"))
            when += datetime.timedelta(minutes=rng.uniform(1, 3.5))
    elif pattern == "profile_deviation":
        salary = max(m[6] for m in bank.raw if m[1] == who.customer_id and m[3] == "in")
        ids.append(bank.external(who, "in", _scaled(salary, rng.uniform(6, 10)), bank.at(day),
                                 key=foreign_iban(), country="MT"))
    elif pattern == "large_cash":
        ids.append(bank.cash(who, "in", _whole(rng.uniform(10000, 30000), 100), bank.at(day, hour_from=9, hour_to=16)))
    return [SeededPattern(pattern, who.customer_id, expected, tuple(ids))]


def build_scenario(*, customers: int = 1000, days: int = 90, seed: int = 7, currency: str = "EUR",
                   each_pattern: int = 1, start: datetime.date = datetime.date(2026, 6, 1)) -> Scenario:
    """``customers`` ordinary customers over ``days`` days from ``start``, and ``each_pattern`` seeded instances
    of every pattern (on customers of their own, added to the ordinary ones). ``days`` must leave room for the
    patterns' history (at least 45)."""
    if days < 45:
        raise ValueError("A scenario needs at least 45 days (the patterns need a history before them).")
    bank = _Bank(seed=seed, start=start, days=days, currency=currency)
    habits, weights = zip(*HABITS, strict=True)
    drawn = bank.rng.choices(habits, weights=weights, k=customers)
    people = []
    for habit in drawn:  # landlords first, so that tenants have someone to pay
        if habit == "landlord":
            bank.landlords.append(bank.customer(habit))
    for habit in drawn:
        if habit != "landlord":
            accounts = 2 if habit in ("salaried", "well_off") and bank.rng.random() < 0.3 else 1
            people.append(bank.customer(habit, accounts=accounts,
                                        customer_type="business" if habit == "shop" else "individual"))
    for who in [*bank.landlords, *people]:
        getattr(bank, who.habit)(who)
    seeded = []
    for _ in range(each_pattern):
        for pattern in PATTERNS:
            seeded.extend(_seed(bank, pattern))
    suspects = frozenset(c.customer_id for c in bank.customers if c.habit == "suspect")
    return Scenario(seed=seed, start=start, days=days, currency=currency, customers=bank.customers,
                    movements=bank.movements(), contexts=bank.contexts, entries=bank.entries, seeded=seeded,
                    suspect_ids=suspects)
