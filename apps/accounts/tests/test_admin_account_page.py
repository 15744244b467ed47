"""The account's page in the admin: a read page (balances, overdraft, holds, last postings) from which staff
start every operation on the account. Each operation calls the service the API calls; a refusal changes
nothing."""

import datetime
import re
from decimal import Decimal
from uuid import uuid4

import pytest
from django.test import Client

from apps.accounts.models import Account, Hold
from apps.accounts.selectors import available_balance
from apps.accounts.services.holds import place_hold
from apps.accounts.tests.factories import current_product, deposit, open_funded_account, savings_product, term_product
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.money import Money
from apps.organization import roles
from apps.organization.models import ApprovalRequest
from apps.organization.services import approve_request
from apps.organization.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

KEY = "0b9e4a52-6a4c-4d77-8d1c-2f4d57a0c111"  # the hold form's hidden key, as the page would have made it


def _login(user):
    client = Client()
    client.force_login(user)
    return client


def _page(user, account):
    return _login(user).get(f"/admin/accounts/account/{account.pk}/change/")


def _text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def _balance(account):
    return LedgerAccount.objects.get(pk=account.ledger_account_id).balance


def _url(account, operation):
    return f"/admin/accounts/account/{account.pk}/{operation}/"


@pytest.fixture
def account(customer, savings, teller_a):
    return open_funded_account(customer, savings, "100.00", teller=teller_a)


# The read page


def test_an_empty_current_account_says_its_available_balance_is_its_overdraft(customer, chart, teller_a):
    # given a current account with nothing in it and an overdraft of 1,500.00
    empty = open_funded_account(customer, current_product(overdraft_limit="1500.00"), None, teller=teller_a)
    # when the teller opens its page
    page = _text(_page(teller_a, empty))
    # then the available 1,500.00 EUR is explained
    assert "Available includes an overdraft of 1,500.00 EUR" in page
    assert page.count("1,500.00 EUR") >= 3  # available, headroom, the sentence


def test_the_page_reads_balances_holds_and_the_last_postings_with_their_running_balance(account, teller_a):
    # given two more deposits and a hold
    deposit(account, "50.00", teller=teller_a)
    deposit(account, "1250.00", teller=teller_a)
    place_hold(account=account, amount=Money("30.00", "EUR"), reason="Court order 17", actor=teller_a,
               idempotency_key=uuid4().hex)
    # when
    response = _page(teller_a, account)
    page = _text(response)
    # then the figures, the hold and the mini-statement (newest first, balance after each) are shown
    assert "1,400.00 EUR" in page and "1,370.00 EUR" in page and "Court order 17" in page
    balances = re.findall(r'<td class="num">(?:<span[^>]*>[^<]*</span>)?</td> <td class="num"><span[^>]*>'
                          r'([^<]*)</span></td> <td class="num"><span[^>]*>([^<]*)</span></td>', page)
    assert balances == [("1,250.00 EUR", "1,400.00 EUR"), ("50.00 EUR", "150.00 EUR"), ("100.00 EUR", "100.00 EUR")]
    # and the cash counter comes before the details, with no Save button (nothing on the page can be saved)
    assert page.index("Deposit or withdraw cash") < page.index("<h2>Details</h2>")
    assert 'name="_save"' not in page and 'name="_continue"' not in page


def test_the_page_costs_the_same_queries_with_many_postings_and_holds(account, teller_a,
                                                                      django_assert_max_num_queries):
    with django_assert_max_num_queries(60) as few:
        assert _page(teller_a, account).status_code == 200
    for _ in range(12):
        deposit(account, "1.00", teller=teller_a)
    for _ in range(4):
        place_hold(account=account, amount=Money("1.00", "EUR"), reason="card", actor=teller_a,
                   idempotency_key=uuid4().hex)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert _page(teller_a, account).status_code == 200


def test_a_frozen_account_says_who_froze_it_and_why(account, compliance_officer):
    _login(compliance_officer).post(_url(account, "freeze"), {"reason": "Suspected mule account, case 881"})
    page = _text(_page(compliance_officer, account))
    assert "Frozen" in page and "Suspected mule account, case 881" in page
    assert "Request unfreezing" in page and "Freeze the account" not in page


# Holds


def test_a_teller_places_a_hold_from_the_account_page(account, teller_a):
    # when
    response = _login(teller_a).post(_url(account, "holds/place"),
                                     {"amount": "40.00", "reason": "Garnishment order 12", "expires_on": "",
                                      "idempotency_key": KEY}, follow=True)
    # then
    hold = Hold.objects.get(account=account)
    assert (hold.amount, hold.reason, hold.placed_by, hold.status) == (Decimal("40.00"), "Garnishment order 12",
                                                                      teller_a, Hold.Status.ACTIVE)
    page = _text(response)
    assert "Hold of 40.00 EUR placed on" in page and "60.00 EUR" in page  # the available balance after it


def test_submitting_the_hold_page_twice_places_one_hold(account, teller_a):
    form = {"amount": "40.00", "reason": "Garnishment order 12", "expires_on": "", "idempotency_key": KEY}
    _login(teller_a).post(_url(account, "holds/place"), form)
    _login(teller_a).post(_url(account, "holds/place"), form)
    assert Hold.objects.filter(account=account).count() == 1
    assert available_balance(account) == Money("60.00", "EUR")


def test_the_hold_form_carries_a_new_key_each_time_it_is_shown(account, teller_a):
    first, second = (_text(_login(teller_a).get(_url(account, "holds/place"))) for _ in range(2))
    key = re.compile(r'name="idempotency_key" value="([0-9a-f-]{36})"')
    assert key.search(first).group(1) != key.search(second).group(1)


def test_a_hold_above_the_available_balance_is_refused_in_words_and_nothing_is_held(account, teller_a):
    response = _login(teller_a).post(_url(account, "holds/place"), {"amount": "100.01", "reason": "card",
                                                                    "idempotency_key": KEY})
    assert response.status_code == 200
    assert "has 100.00 EUR available; 100.01 EUR was asked" in _text(response)
    assert not Hold.objects.filter(account=account).exists()


def test_a_hold_needs_a_reason(account, teller_a):
    response = _login(teller_a).post(_url(account, "holds/place"), {"amount": "10.00", "reason": "",
                                                                    "idempotency_key": KEY})
    assert response.status_code == 200 and "This field is required." in _text(response)
    assert not Hold.objects.filter(account=account).exists()


def test_another_branch_and_a_role_that_moves_no_money_place_no_hold(account, teller_b, loan_officer,
                                                                     compliance_officer):
    form = {"amount": "10.00", "reason": "card", "idempotency_key": KEY}
    assert _login(teller_b).post(_url(account, "holds/place"), form).status_code == 404
    assert _login(loan_officer).post(_url(account, "holds/place"), form).status_code == 403
    assert _login(compliance_officer).post(_url(account, "holds/place"), form).status_code == 403
    assert not Hold.objects.filter(account=account).exists()
    assert "Place a hold" not in _text(_page(compliance_officer, account))


def test_a_teller_releases_a_hold_from_the_account_page(account, teller_a):
    hold = place_hold(account=account, amount=Money("25.00", "EUR"), reason="card", actor=teller_a,
                      idempotency_key=uuid4().hex)
    page = _text(_page(teller_a, account))
    assert f'action="/admin/accounts/account/{account.pk}/holds/{hold.pk}/release/"' in page
    response = _login(teller_a).post(_url(account, f"holds/{hold.pk}/release"), follow=True)
    hold.refresh_from_db()
    assert hold.status == Hold.Status.RELEASED and hold.released_by == teller_a
    assert "released: the money is available again" in _text(response)


def test_a_payment_reviews_hold_is_not_released_from_the_account_page(account, teller_a):
    # given: the hold a transfer held for review keeps until compliance decides
    hold = place_hold(account=account, amount=Money("25.00", "EUR"), reason="Transfer held for review",
                      actor=teller_a, idempotency_key=uuid4().hex, purpose=Hold.Purpose.PAYMENT_REVIEW)
    page = _text(_page(teller_a, account))
    assert "Released by the payment review" in page
    assert f"holds/{hold.pk}/release/" not in page
    # when
    response = _login(teller_a).post(_url(account, f"holds/{hold.pk}/release"), follow=True)
    # then
    assert "compliance releases or rejects the payment" in _text(response)
    hold.refresh_from_db()
    assert hold.status == Hold.Status.ACTIVE and hold.released_by is None


def test_another_branch_releases_no_hold(account, teller_a, teller_b):
    hold = place_hold(account=account, amount=Money("25.00", "EUR"), reason="card", actor=teller_a,
                      idempotency_key=uuid4().hex)
    assert _login(teller_b).post(_url(account, f"holds/{hold.pk}/release")).status_code == 404
    hold.refresh_from_db()
    assert hold.status == Hold.Status.ACTIVE


# Freeze and unfreeze


def test_compliance_freezes_with_the_reason_it_types(account, compliance_officer):
    response = _login(compliance_officer).post(_url(account, "freeze"), {"reason": "Police request 2026/44"},
                                               follow=True)
    account.refresh_from_db()
    assert account.status == Account.Status.FROZEN
    assert account.history.first().history_change_reason == "Police request 2026/44"
    assert "is frozen: nothing may leave it" in _text(response)


def test_freezing_without_a_reason_is_refused_and_nothing_changes(account, compliance_officer):
    response = _login(compliance_officer).post(_url(account, "freeze"), {"reason": "  "})
    assert response.status_code == 200 and "This field is required." in _text(response)
    account.refresh_from_db()
    assert account.status == Account.Status.ACTIVE


def test_a_teller_may_not_freeze(account, teller_a):
    assert _login(teller_a).post(_url(account, "freeze"), {"reason": "why not"}).status_code == 403
    account.refresh_from_db()
    assert account.status == Account.Status.ACTIVE
    assert "Freeze the account" not in _text(_page(teller_a, account))


def test_unfreezing_is_requested_with_a_reason_and_waits_for_a_checker(account, compliance_officer):
    client = _login(compliance_officer)
    client.post(_url(account, "freeze"), {"reason": "Police request 2026/44"})
    response = client.post(_url(account, "unfreeze"), {"reason": "Order lifted on 30 Nov"}, follow=True)
    approval = ApprovalRequest.objects.get(operation="accounts.unfreeze_account")
    assert approval.parameters["reason"] == "Order lifted on 30 Nov" and approval.state == ApprovalRequest.State.PENDING
    account.refresh_from_db()
    assert account.status == Account.Status.FROZEN
    assert f"approval #{approval.pk}" in _text(response)


def test_the_list_freeze_action_asks_for_the_reason(account, compliance_officer):
    client = _login(compliance_officer)
    asked = client.post("/admin/accounts/account/", {"action": "freeze", "_selected_action": [account.pk]})
    assert asked.status_code == 200 and "give the reason" in _text(asked)
    account.refresh_from_db()
    assert account.status == Account.Status.ACTIVE
    client.post("/admin/accounts/account/", {"action": "freeze", "_selected_action": [account.pk],
                                             "confirm": "yes", "reason": "Sanctions match 9"})
    account.refresh_from_db()
    assert account.status == Account.Status.FROZEN
    assert account.history.first().history_change_reason == "Sanctions match 9"


# Closure


def test_a_manager_requests_closure_paying_out_to_another_account_and_a_checker_closes_it(
        account, customer, savings, manager_a, teller_a, branch_a):
    other = open_funded_account(customer, savings_product(code="SAV2"), "5.00", teller=teller_a)
    page = _text(_login(manager_a).get(_url(account, "close")))
    assert f'value="{other.number}"' in page
    response = _login(manager_a).post(_url(account, "close"), {"payout_to": other.number, "reason": "Moving abroad"},
                                      follow=True)
    approval = ApprovalRequest.objects.get(operation="accounts.close_account")
    assert approval.parameters["payout_to"] == other.number and f"approval #{approval.pk}" in _text(response)
    account.refresh_from_db()
    assert account.status == Account.Status.ACTIVE  # nothing happens before the checker
    approve_request(request=approval, checker=StaffFactory(role=roles.BRANCH_MANAGER, home_branch=branch_a))
    account.refresh_from_db()
    assert account.status == Account.Status.CLOSED and _balance(other) == Decimal("105.00")


def test_a_teller_and_another_branch_request_no_closure(account, teller_a, manager_b):
    assert _login(teller_a).post(_url(account, "close"), {"payout_to": "cash"}).status_code == 403
    assert _login(manager_b).post(_url(account, "close"), {"payout_to": "cash"}).status_code == 404
    assert not ApprovalRequest.objects.exists()


# Breaking a term deposit


@pytest.fixture
def term_deposit(customer, account, teller_a):
    made = open_funded_account(customer, term_product(), None, teller=teller_a, maturity_instruction="pay_out",
                               linked_account=account)
    deposit(made, "5000.00", teller=teller_a)
    made.refresh_from_db()
    return made


def test_a_teller_breaks_a_term_deposit_and_the_balance_goes_to_the_linked_account(term_deposit, account, teller_a):
    page = _text(_login(teller_a).get(_url(term_deposit, "break")))
    assert "Withdraw 5,000.00 EUR before maturity" in page and f"account {account.number}" in page
    response = _login(teller_a).post(_url(term_deposit, "break"), follow=True)
    term_deposit.refresh_from_db()
    assert term_deposit.status == Account.Status.CLOSED
    assert _balance(term_deposit) == 0 and _balance(account) == Decimal("5100.00")
    assert "withdrawn early and closed: 5,000.00 EUR paid out" in _text(response)


def test_another_branch_and_compliance_break_no_term_deposit(term_deposit, teller_b, compliance_officer):
    entries = JournalEntry.objects.count()
    assert _login(teller_b).post(_url(term_deposit, "break")).status_code == 404
    assert _login(compliance_officer).post(_url(term_deposit, "break")).status_code == 403
    term_deposit.refresh_from_db()
    assert term_deposit.status == Account.Status.ACTIVE and JournalEntry.objects.count() == entries


# Statements


def test_a_statement_for_any_period_as_pdf_or_csv(account, teller_a):
    client = _login(teller_a)
    form = client.get(_url(account, "statement"))
    assert form.status_code == 200 and 'name="date_from"' in form.content.decode()
    today = account.opened_on
    csv = client.get(_url(account, "statement"), {"date_from": today - datetime.timedelta(days=40),
                                                  "date_to": today, "format": "csv"})
    assert csv["Content-Disposition"].endswith(f'-{today - datetime.timedelta(days=40)}-{today}.csv"')
    assert "100.00" in b"".join(csv.streaming_content).decode()
    pdf = client.get(_url(account, "statement"), {"date_from": today, "date_to": today, "format": "pdf"})
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_a_statement_period_that_ends_before_it_starts_is_refused_in_words(account, teller_a):
    response = _login(teller_a).get(_url(account, "statement"), {"date_from": "2026-11-20", "date_to": "2026-11-01",
                                                                 "format": "pdf"})
    assert response.status_code == 200 and "The period starts after it ends." in _text(response)
