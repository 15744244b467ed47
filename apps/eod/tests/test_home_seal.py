"""The bank's state on the admin home: the seal chain's links checked on every view (cheap: one row per sealed
date), and the last full verification (every seal recomputed by ledger_check or the ledger check page) as it was
kept; only the roles whose home shows the bank's state see it."""

import pytest
from django.urls import reverse

from apps.eod.models import LedgerSeal
from apps.eod.seal import seal_chain_check, seal_chain_status
from apps.eod.services import run_eod
from apps.organization.tests.admin_approvals import admin_client

pytestmark = pytest.mark.django_db


def _seal_row(user) -> str:
    page = admin_client(user).get(reverse("admin:index")).content.decode()
    start = page.find('<tr id="seal-chain">')
    return "" if start < 0 else page[start:page.find("</tr>", start)]


@pytest.fixture
def two_sealed_dates(bank):
    run_eod()
    run_eod()
    return list(LedgerSeal.objects.order_by("business_date"))


def test_operations_see_an_intact_chain_and_when_it_was_last_recomputed(two_sealed_dates, ops_admin,
                                                                        django_assert_max_num_queries):
    _, second = two_sealed_dates
    # given no full check since the cache was emptied
    row = _seal_row(ops_admin)
    assert 'class="seal-state intact">Intact<' in row and "2 sealed business dates" in row
    assert f"(the last {second.business_date:%Y-%m-%d})" in row and "Digests not recomputed since" in row
    # when operations checks the ledger (what ledger_check and its page run)
    seal_chain_check()
    # then the home says when every seal was recomputed, without recomputing it
    with django_assert_max_num_queries(1):
        status = seal_chain_status()
    assert status.intact and status.verified_seals == 2 and status.verified_at is not None
    assert "Every seal recomputed at" in _seal_row(ops_admin) and "(2 verified)" in _seal_row(ops_admin)


def test_a_tampered_seal_shows_the_chain_broken(two_sealed_dates, ops_admin, auditor):
    first, second = two_sealed_dates
    # when a seal's digest is changed behind the application's back
    LedgerSeal.objects.filter(pk=first.pk).update(digest="0" * 64)
    # then the links say it at once: the next seal no longer chains to it
    row = _seal_row(ops_admin)
    assert 'class="seal-state broken">Broken<' in row
    assert f"the link of the seal of {second.business_date:%Y-%m-%d} to its predecessor is broken" in row
    # and the full check names the seal whose entries no longer match
    seal_chain_check()
    row = _seal_row(auditor)
    assert f"the last full check found the seal of {first.business_date:%Y-%m-%d} broken" in row


def test_branch_roles_see_the_business_date_but_not_the_seal_chain(two_sealed_dates, teller_a, manager_a):
    for user in (teller_a, manager_a):
        page = admin_client(user).get(reverse("admin:index")).content.decode()
        assert 'id="eod-dashboard"' in page and 'id="seal-chain"' not in page
