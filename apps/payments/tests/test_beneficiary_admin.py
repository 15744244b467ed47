"""Beneficiaries at the counter: branch staff add and remove a customer's payees in the admin, through the service
the API calls, which decides who may (the customer, or staff of the customer's branch)."""

import re

import pytest
from django.test import Client

from apps.domain_errors import PermissionRefused
from apps.payments.models import Beneficiary
from apps.payments.services.beneficiaries import add_beneficiary, remove_beneficiary
from apps.payments.tests.factories import saved_beneficiary

pytestmark = pytest.mark.django_db
EXTERNAL_IBAN = "PT50000201231234567890154"
ADD = "/admin/payments/beneficiary/add/"


def _login(user):
    client = Client()
    client.force_login(user)
    return client


def _text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def test_a_teller_saves_a_beneficiary_for_a_customer_of_the_branch(alice, teller_a):
    # when
    response = _login(teller_a).post(ADD, {"owner": alice.pk, "name": "Ana Costa",
                                           "account_identifier": "pt50 0002 0123 1234 5678 9015 4"}, follow=True)
    # then
    beneficiary = Beneficiary.objects.get()
    assert (beneficiary.owner, beneficiary.account_identifier, beneficiary.country, beneficiary.created_by) == (
        alice, EXTERNAL_IBAN, "PT", teller_a)
    assert beneficiary.history.get().history_user == teller_a
    assert f"Ana Costa ({EXTERNAL_IBAN}) is saved as a beneficiary of {alice.legal_name}." in _text(response)


def test_a_bad_iban_is_refused_on_the_form_and_nothing_is_saved(alice, teller_a):
    response = _login(teller_a).post(ADD, {"owner": alice.pk, "name": "Ana",
                                           "account_identifier": "PT50000201231234567890155"})
    assert response.status_code == 200 and "is not a valid account number or IBAN" in _text(response)
    assert not Beneficiary.objects.exists()


def test_another_branchs_teller_and_compliance_keep_no_customers_payees(alice, teller_b, compliance_officer):
    # another branch's customer is not even offered on the form
    refused = _login(teller_b).post(ADD, {"owner": alice.pk, "name": "Ana", "account_identifier": EXTERNAL_IBAN})
    assert refused.status_code == 200 and "Select a valid choice" in _text(refused)
    assert _login(compliance_officer).get(ADD).status_code == 403
    # and the service refuses them whichever door they use
    for actor in (teller_b, compliance_officer):
        with pytest.raises(PermissionRefused):
            add_beneficiary(owner=alice, name="Ana", account_identifier=EXTERNAL_IBAN, actor=actor)
    assert not Beneficiary.objects.exists()


def test_a_customer_keeps_only_their_own_list(alice, bob):
    with pytest.raises(PermissionRefused):
        add_beneficiary(owner=alice, name="Ana", account_identifier=EXTERNAL_IBAN, actor=bob.user)
    theirs = saved_beneficiary(alice, EXTERNAL_IBAN)
    with pytest.raises(PermissionRefused):
        remove_beneficiary(beneficiary=theirs, actor=bob.user)
    theirs.refresh_from_db()
    assert theirs.removed_at is None


def test_a_teller_removes_a_beneficiary_from_its_page(alice, teller_a, teller_b):
    # given
    beneficiary = saved_beneficiary(alice, EXTERNAL_IBAN)
    page = _text(_login(teller_a).get(f"/admin/payments/beneficiary/{beneficiary.pk}/change/"))
    assert "Remove the beneficiary" in page
    # another branch's teller cannot reach it
    assert _login(teller_b).post(f"/admin/payments/beneficiary/{beneficiary.pk}/remove/").status_code == 302
    beneficiary.refresh_from_db()
    assert beneficiary.removed_at is None
    # when
    response = _login(teller_a).post(f"/admin/payments/beneficiary/{beneficiary.pk}/remove/", follow=True)
    # then
    beneficiary.refresh_from_db()
    assert beneficiary.removed_at is not None and beneficiary.removed_by == teller_a
    assert "is removed from" in _text(response)
    assert "Remove the beneficiary" not in _text(response)
