"""A teller enrols a customer for the channels from the customer's page, in the browser; the customer redeems the
one-time code over the API (real HTTP against the live server), sets a first password and logs in; then the teller
issues a password reset the customer redeems (her old device is logged out), and revokes her access."""

import re

import pytest

from apps.accounts.tests.factories import open_funded_account, savings_product
from apps.customers.models import ChannelCode, Customer
from apps.customers.tests.factories import verified_customer
from apps.kyc.services import run_kyc_check
from apps.organization import roles
from apps.organization.models import User
from tests.browser.admin_steps import follow

PASSWORD = "correct horse battery staple 42"
NEW_PASSWORD = "a brand new passphrase 9"


@pytest.fixture
def rita(lisbon, staff):
    customer = verified_customer(branch=lisbon, legal_name="Rita Almeida", email="rita.almeida@example.test")
    open_funded_account(customer, savings_product(rate="0"), "2500.00", teller=staff(roles.TELLER))
    for _ in range(3):  # the daily re-checks that all found nothing: one line on the page
        run_kyc_check(customer=Customer.objects.get(pk=customer.pk))
    return customer


def test_a_teller_enrols_a_customer_who_redeems_the_code_and_logs_in_then_resets_and_revokes(
        page, log_in, shot, staff, rita):
    # given: the teller opens Rita's page from the customer list
    teller = staff(roles.TELLER)
    log_in(page, teller)
    page.goto("/admin/customers/customer/")
    assert "Rita Almeida" in page.locator("#result_list").inner_text()
    follow(page, f"#result_list a[href$='/customer/{rita.pk}/change/']")
    content = page.locator("#content").inner_text()
    assert "2,500.00 EUR" in content
    assert "KYC status: Verified" in content and "Nothing is missing" in content
    assert re.search(r"\d+ checks, .*Verified\s+0\.000\s+no risk factor", content), content
    assert "Not enrolled: the customer has no channel login." in content
    shot(page, "01-customer-page")

    # when: the teller enrols her for the channels
    follow(page, "text=Enrol for channels")
    shot(page, "02-enrol-confirm")
    follow(page, "input[value='Enrol and show the code']")

    # then: the code is shown once; the database keeps only its digest
    code = page.locator("#channel-code").inner_text().strip()
    assert re.fullmatch(r"([A-Z0-9]{4}-){4}[A-Z0-9]{4}", code)
    assert page.locator("#channel-username").inner_text() == "rita.almeida@example.test"
    row = ChannelCode.objects.get(customer=rita)
    assert (row.purpose, row.issued_by, row.redeemed_at) == (ChannelCode.Purpose.ENROLMENT, teller, None)
    assert code.replace("-", "") not in row.digest
    shot(page, "03-code-shown-once")

    # when: Rita sets her first password with the code over the API, then logs in
    api = page.context.request
    redeemed = api.post("/api/v1/enrolment/redeem/", data={"code": code, "password": PASSWORD})
    assert redeemed.status == 200 and redeemed.json() == {"username": "rita.almeida@example.test"}
    replay = api.post("/api/v1/enrolment/redeem/", data={"code": code, "password": "someone else's pass 9"})
    assert (replay.status, replay.json()["code"]) == (409, "channel_code_used")
    login = api.post("/api/v1/auth/token/", data={"username": "rita.almeida@example.test", "password": PASSWORD})
    assert login.status == 200
    me = api.get("/api/v1/me/", headers={"Authorization": f"Token {login.json()['token']}"})
    assert me.json()["id"] == rita.pk
    accounts = api.get("/api/v1/accounts/", headers={"Authorization": f"Token {login.json()['token']}"})
    assert accounts.status == 200

    # then: the database and the customer's page say she is enrolled
    user = User.objects.get(customer=rita)
    assert user.check_password(PASSWORD) and not user.is_staff
    assert ChannelCode.objects.get(customer=rita).redeemed_at is not None
    follow(page, "text=Back to the customer")
    content = page.locator("#content").inner_text()
    assert "Enrolled as rita.almeida@example.test, signed in on 1 device now." in content
    assert code not in content
    assert "Issue password reset" in content and "Revoke channel access" in content
    shot(page, "04-enrolled")

    # when: she forgets her password; the teller issues a reset code, which she redeems over the API
    follow(page, "text=Issue password reset")
    follow(page, "input[value='Issue the reset code']")
    reset_code = page.locator("#channel-code").inner_text().strip()
    shot(page, "05-reset-code")
    reset = api.post("/api/v1/password-reset/redeem/", data={"code": reset_code, "password": NEW_PASSWORD})
    assert reset.status == 200

    # then: the old device is logged out, the new password works
    assert api.get("/api/v1/me/", headers={"Authorization": f"Token {login.json()['token']}"}).status == 401
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    # when: her phone is stolen; the teller revokes channel access with a reason
    follow(page, "text=Back to the customer")
    follow(page, "text=Revoke channel access")
    page.fill("#id_reason", "Phone stolen, reported at the counter")
    shot(page, "06-revoke-form")
    follow(page, "input[value='Revoke channel access']")

    # then: the login no longer works, and the page says so
    assert "channel access is revoked" in page.locator(".messagelist").inner_text()
    user.refresh_from_db()
    assert not user.is_active
    assert user.history.first().history_change_reason == "Phone stolen, reported at the counter"
    assert api.post("/api/v1/auth/token/", data={"username": user.username, "password": NEW_PASSWORD}).status == 400
    assert "Channel access revoked" in page.locator("#channels").inner_text()
    assert "Enrol for channels" in page.locator("#channels").inner_text()
    shot(page, "07-revoked")
