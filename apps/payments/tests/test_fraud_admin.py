"""Fraud rules, decisions and beneficiaries in the admin: who may edit what, validation, constant queries."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.money import Money
from apps.organization.models import ApprovalRequest
from apps.organization.tests.admin_approvals import approve_in_admin, pending_request
from apps.payments.errors import PaymentBlockedByFraudRule
from apps.payments.models import FraudRule
from apps.payments.services.transfers import transfer_between_accounts
from apps.payments.tests.factories import fraud_rule, saved_beneficiary

pytestmark = pytest.mark.django_db


def _admin(user):
    client = Client()
    client.force_login(user)
    return client


def test_operations_admin_proposes_a_rule_and_bad_parameters_are_refused(ops_admin, ops_checker):
    client = _admin(ops_admin)
    url = reverse("admin:payments_fraudrule_add")
    form = {"name": "Burst", "kind": "velocity", "action": "hold", "priority": 10, "is_active": "on",
            "description": ""}
    bad = client.post(url, {**form, "parameters": '{"max_payments": 0, "window_minutes": 5}'})
    assert bad.status_code == 200 and not FraudRule.objects.exists() and not ApprovalRequest.objects.exists()
    good = client.post(url, {**form, "parameters": '{"max_payments": 5, "window_minutes": 5}'})
    assert good.status_code == 302 and not FraudRule.objects.exists()
    approve_in_admin(ops_checker, pending_request("payments.change_fraud_rule"))
    rule = FraudRule.objects.get()
    assert rule.parameters == {"max_payments": 5, "window_minutes": 5}
    assert rule.history.get().history_user == ops_checker


def test_an_amount_rule_is_added_in_one_currency_and_listed_with_it(ops_admin, ops_checker):
    # given
    client = _admin(ops_admin)
    url = reverse("admin:payments_fraudrule_add")
    form = {"name": "Large yen payment to a new payee", "kind": "new_beneficiary_large_amount", "action": "hold",
            "priority": 30, "is_active": "on", "description": "",
            "parameters": '{"max_age_hours": 72, "amount_above": "300000"}'}
    # when the currency is left out, then it is a form error and nothing is written
    missing = client.post(url, {**form, "currency": ""})
    assert missing.status_code == 200 and "currency" in missing.context["adminform"].form.errors
    assert not FraudRule.objects.exists()
    # when it is given and a checker approves, then the rule is saved in it, and the list shows and filters by it
    assert client.post(url, {**form, "currency": "JPY"}).status_code == 302
    approve_in_admin(ops_checker, pending_request("payments.change_fraud_rule"))
    assert FraudRule.objects.get().currency == "JPY"
    listed = client.get(reverse("admin:payments_fraudrule_changelist"), {"currency__exact": "JPY"})
    assert [rule.name for rule in listed.context["cl"].result_list] == ["Large yen payment to a new payee"]
    assert not client.get(reverse("admin:payments_fraudrule_changelist"),
                          {"currency__exact": "EUR"}).context["cl"].result_list


def test_compliance_reads_rules_but_does_not_edit_them(compliance_officer):
    rule = fraud_rule("high_risk_country", countries=["KP"])
    client = _admin(compliance_officer)
    assert client.get(reverse("admin:payments_fraudrule_changelist")).status_code == 200
    assert client.get(reverse("admin:payments_fraudrule_add")).status_code == 403
    client.post(reverse("admin:payments_fraudrule_change", args=[rule.pk]),
                {"name": rule.name, "kind": "high_risk_country", "action": "block", "priority": 1,
                 "parameters": '{"countries": ["PT"]}'})
    assert FraudRule.objects.get().parameters == {"countries": ["KP"]}


def _changelist_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _block(alice, payer, payee, key):
    with pytest.raises(PaymentBlockedByFraudRule):
        transfer_between_accounts(from_account_number=payer.number, to_account_number=payee.number,
                                  money=Money("10.00", "EUR"), initiated_by=alice.user, idempotency_key=key)


def test_decision_and_beneficiary_lists_have_constant_queries(alice, alice_account, bob_account, auditor):
    fraud_rule("high_risk_country", countries=["PT"])
    saved_beneficiary(alice, bob_account.number, name="Bob")
    _block(alice, alice_account, bob_account, "k0")
    client = _admin(auditor)
    urls = [reverse(f"admin:payments_{name}_changelist")
            for name in ("frauddecision", "beneficiary", "fraudrule", "paymentreview")]
    for url in urls:
        client.get(url)  # warm permission caches
    before = [_changelist_queries(client, url) for url in urls]
    # more rows of each kind
    saved_beneficiary(alice, "PT50000201231234567890154", name="Ana")
    fraud_rule("velocity", max_payments=100, window_minutes=1)
    for key in ("k1", "k2", "k3"):
        _block(alice, alice_account, bob_account, key)
    assert [_changelist_queries(client, url) for url in urls] == before
