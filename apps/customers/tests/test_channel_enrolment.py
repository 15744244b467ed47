"""Channel enrolment: staff give a customer a login and a one-time code; the customer sets the password with it
over the API and logs in; password resets by staff or by the customer; revoking access. Codes are stored only as
digests, work once, expire, and a refusal writes nothing."""

import datetime
import hashlib

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from apps.customers.errors import (
    ChannelCodeExpired,
    ChannelCodeUnknown,
    ChannelCodeUsed,
    ChannelCodeVoid,
    ChannelEnrolmentRefused,
    ChannelPasswordInvalid,
    NotAllowedToEnrol,
)
from apps.customers.models import ChannelCode, Customer
from apps.customers.selectors import channel_enrolment_of
from apps.customers.services import (
    block_customer,
    enrol_customer_for_channels,
    issue_password_reset,
    redeem_channel_code,
    request_password_reset,
    revoke_channel_access,
)
from apps.customers.tests.factories import CustomerFactory
from apps.organization.api_tokens import issue_api_token
from apps.organization.models import User
from apps.outbox.models import OutboxEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple 42"
ENROLMENT = ChannelCode.Purpose.ENROLMENT
RESET = ChannelCode.Purpose.PASSWORD_RESET


def snapshot(customer):
    """What a refusal must leave as it was: the customer's login, codes and their history, events, tokens."""
    customer.refresh_from_db()
    user = User.objects.filter(pk=customer.user_id).values("password", "is_active").first()
    return (customer.user_id, user, list(ChannelCode.objects.filter(customer=customer).values()),
            ChannelCode.history.filter(customer_id=customer.pk).count(), OutboxEvent.objects.count(),
            AuthToken.objects.count())


def enrolled(customer, actor, password=PASSWORD):
    issued = enrol_customer_for_channels(customer=customer, actor=actor)
    return redeem_channel_code(code=issued.code, password=password, purpose=ENROLMENT)


# --- enrolment ------------------------------------------------------------------------------------------

def test_a_teller_enrols_a_customer_of_their_branch_and_only_the_codes_digest_is_kept(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a, email="Ana.Sousa@example.test")
    issued = enrol_customer_for_channels(customer=customer, actor=teller_a)
    customer.refresh_from_db()
    user = customer.user
    assert (user.username, user.is_staff, user.is_active, user.has_usable_password()) == (
        "ana.sousa@example.test", False, True, False)
    row = ChannelCode.objects.get(customer=customer)
    assert row.digest == hashlib.sha256(issued.code.replace("-", "").encode()).hexdigest()
    assert issued.code.replace("-", "") not in str(list(ChannelCode.objects.values()))
    assert issued.code not in str(list(OutboxEvent.objects.values_list("payload", flat=True)))
    assert (row.purpose, row.issued_by, row.expires_at - row.issued_at) == (ENROLMENT, teller_a,
                                                                            datetime.timedelta(hours=72))
    assert row.history.get().history_user == teller_a
    assert customer.history.first().history_user == teller_a
    assert channel_enrolment_of(customer, now=timezone.now()).state == "pending"


def test_the_customer_redeems_the_code_with_a_first_password_and_logs_in(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a)
    issued = enrol_customer_for_channels(customer=customer, actor=teller_a)
    user = redeem_channel_code(code=issued.code.lower(), password=PASSWORD, purpose=ENROLMENT)
    assert user.check_password(PASSWORD)
    row = ChannelCode.objects.get(customer=customer)
    assert row.redeemed_at is not None and row.history.first().history_user == user
    response = APIClient().post(reverse("v1:auth-token"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200, response.json()
    me = APIClient(headers={"Authorization": f"Token {response.json()['token']}"}).get(reverse("v1:me"))
    assert me.json()["id"] == customer.pk
    customer.refresh_from_db()
    assert channel_enrolment_of(customer, now=timezone.now()).state == "enrolled"


def test_a_teller_of_another_branch_may_not_enrol_and_nothing_is_written(teller_b, branch_a):
    customer = CustomerFactory(branch=branch_a)
    before = snapshot(customer)
    with pytest.raises(NotAllowedToEnrol):
        enrol_customer_for_channels(customer=customer, actor=teller_b)
    assert snapshot(customer) == before


@pytest.mark.parametrize("role", ["loan_officer", "auditor", "compliance_officer", "ops_admin"])
def test_roles_that_do_not_serve_at_the_counter_may_not_enrol(request, role, branch_a):
    customer = CustomerFactory(branch=branch_a)
    with pytest.raises(NotAllowedToEnrol):
        enrol_customer_for_channels(customer=customer, actor=request.getfixturevalue(role))
    assert not User.objects.filter(customer=customer).exists()


def test_a_branch_manager_enrols_too(manager_a, branch_a):
    customer = CustomerFactory(branch=branch_a)
    enrol_customer_for_channels(customer=customer, actor=manager_a)
    assert Customer.objects.get(pk=customer.pk).user_id is not None


def test_an_enrolled_customer_is_not_enrolled_again(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a)
    enrolled(customer, teller_a)
    before = snapshot(customer)
    with pytest.raises(ChannelEnrolmentRefused) as refusal:
        enrol_customer_for_channels(customer=customer, actor=teller_a)
    assert refusal.value.code == "customer_already_enrolled"
    assert snapshot(customer) == before


def test_enrolling_again_before_redeeming_voids_the_first_code(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a)
    first = enrol_customer_for_channels(customer=customer, actor=teller_a)
    second = enrol_customer_for_channels(customer=customer, actor=teller_a)
    with pytest.raises(ChannelCodeVoid):
        redeem_channel_code(code=first.code, password=PASSWORD, purpose=ENROLMENT)
    assert redeem_channel_code(code=second.code, password=PASSWORD, purpose=ENROLMENT).check_password(PASSWORD)
    assert User.objects.filter(customer=customer).count() == 1


def test_a_blocked_customer_is_not_enrolled(teller_a, manager_a, branch_a):
    customer = CustomerFactory(branch=branch_a)
    block_customer(customer=customer, reason="fraud suspected", actor=manager_a)
    with pytest.raises(ChannelEnrolmentRefused) as refusal:
        enrol_customer_for_channels(customer=customer, actor=teller_a)
    assert refusal.value.code == "customer_blocked"
    assert not ChannelCode.objects.exists()


def test_a_login_name_taken_by_someone_else_is_refused(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a, email="taken@example.test")
    User.objects.create(username="TAKEN@example.test")
    with pytest.raises(ChannelEnrolmentRefused) as refusal:
        enrol_customer_for_channels(customer=customer, actor=teller_a)
    assert refusal.value.code == "channel_username_taken"
    assert Customer.objects.get(pk=customer.pk).user_id is None


# --- redeeming: refusals --------------------------------------------------------------------------------

def test_a_used_code_is_refused_the_second_time_and_nothing_changes(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a)
    issued = enrol_customer_for_channels(customer=customer, actor=teller_a)
    redeem_channel_code(code=issued.code, password=PASSWORD, purpose=ENROLMENT)
    before = snapshot(customer)
    with pytest.raises(ChannelCodeUsed):
        redeem_channel_code(code=issued.code, password="another fine passphrase 7", purpose=ENROLMENT)
    assert snapshot(customer) == before
    assert User.objects.get(customer=customer).check_password(PASSWORD)


def test_an_expired_code_is_refused(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a)
    issued_at = timezone.now() - datetime.timedelta(days=10)
    issued = enrol_customer_for_channels(customer=customer, actor=teller_a, now=issued_at,
                                         ttl=datetime.timedelta(hours=1))
    before = snapshot(customer)
    with pytest.raises(ChannelCodeExpired):
        redeem_channel_code(code=issued.code, password=PASSWORD, purpose=ENROLMENT,
                            now=issued_at + datetime.timedelta(hours=1))
    assert snapshot(customer) == before
    # a minute before the TTL ends it still works
    assert redeem_channel_code(code=issued.code, password=PASSWORD, purpose=ENROLMENT,
                               now=issued_at + datetime.timedelta(minutes=59)).check_password(PASSWORD)


@pytest.mark.parametrize("code", ["", "----", "NOT-A-CODE", "A" * 20])
def test_an_unknown_code_is_refused(code):
    with pytest.raises(ChannelCodeUnknown):
        redeem_channel_code(code=code, password=PASSWORD, purpose=ENROLMENT)


def test_an_enrolment_code_does_not_reset_a_password(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a)
    issued = enrol_customer_for_channels(customer=customer, actor=teller_a)
    with pytest.raises(ChannelCodeUnknown):
        redeem_channel_code(code=issued.code, password=PASSWORD, purpose=RESET)


def test_a_weak_password_is_refused_with_the_validators_words_and_the_code_still_works(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a)
    issued = enrol_customer_for_channels(customer=customer, actor=teller_a)
    before = snapshot(customer)
    with pytest.raises(ChannelPasswordInvalid) as refusal:
        redeem_channel_code(code=issued.code, password="12345", purpose=ENROLMENT)
    assert "too short" in str(refusal.value)
    assert snapshot(customer) == before


# --- password reset and revoking ------------------------------------------------------------------------

def test_a_staff_reset_code_sets_a_new_password_and_logs_every_device_out(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a)
    user = enrolled(customer, teller_a)
    issue_api_token(user=user)
    issue_api_token(user=user)
    issued = issue_password_reset(customer=customer, actor=teller_a)
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)  # the old password works until redeemed
    redeem_channel_code(code=issued.code, password="a brand new passphrase 9", purpose=RESET)
    user.refresh_from_db()
    assert user.check_password("a brand new passphrase 9")
    assert not AuthToken.objects.filter(user=user).exists()


def test_a_reset_for_a_customer_not_enrolled_is_refused(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a)
    with pytest.raises(ChannelEnrolmentRefused) as refusal:
        issue_password_reset(customer=customer, actor=teller_a)
    assert refusal.value.code == "customer_not_enrolled"


def test_a_customer_asks_for_a_reset_and_gets_the_code_by_email(teller_a, branch_a,
                                                              django_capture_on_commit_callbacks):
    customer = CustomerFactory(branch=branch_a, email="rui@example.test")
    user = enrolled(customer, teller_a)
    with django_capture_on_commit_callbacks(execute=True):
        request_password_reset(username=user.username.upper())  # typed in another case
    assert [message.to for message in mail.outbox] == [["rui@example.test"]]
    code = mail.outbox[0].body.split("code is ")[1].split(".")[0]
    assert ChannelCode.objects.get(customer=customer, purpose=RESET).issued_by is None
    redeem_channel_code(code=code, password="a brand new passphrase 9", purpose=RESET)
    assert User.objects.get(pk=user.pk).check_password("a brand new passphrase 9")


def test_asking_for_a_reset_of_an_unknown_login_does_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request_password_reset(username="nobody@example.test")
    assert (mail.outbox, ChannelCode.objects.count(), OutboxEvent.objects.count()) == ([], 0, 0)


def test_revoking_channel_access_stops_the_login_its_codes_and_its_tokens(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a)
    user = enrolled(customer, teller_a)
    issue_api_token(user=user)
    pending_reset = issue_password_reset(customer=customer, actor=teller_a)
    assert revoke_channel_access(customer=customer, actor=teller_a, reason="phone stolen") == 1
    user.refresh_from_db()
    assert (user.is_active, user.has_usable_password()) == (False, False)
    assert user.history.first().history_change_reason == "phone stolen"
    with pytest.raises(ChannelCodeVoid):
        redeem_channel_code(code=pending_reset.code, password=PASSWORD, purpose=RESET)
    customer.refresh_from_db()
    assert channel_enrolment_of(customer, now=timezone.now()).state == "revoked"
    # enrolling again gives the same login a new code
    issued = enrol_customer_for_channels(customer=customer, actor=teller_a)
    assert redeem_channel_code(code=issued.code, password=PASSWORD, purpose=ENROLMENT).pk == user.pk


def test_revoking_needs_a_reason(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a)
    enrolled(customer, teller_a)
    before = snapshot(customer)
    with pytest.raises(ChannelEnrolmentRefused) as refusal:
        revoke_channel_access(customer=customer, actor=teller_a, reason="  ")
    assert refusal.value.code == "reason_required"
    assert snapshot(customer) == before


def test_a_customers_own_login_may_not_enrol_another_customer(teller_a, branch_a):
    bea, carla = CustomerFactory(branch=branch_a), CustomerFactory(branch=branch_a)
    bea_login = enrolled(bea, teller_a)
    before = snapshot(carla)
    with pytest.raises(NotAllowedToEnrol):
        enrol_customer_for_channels(customer=carla, actor=bea_login)
    with pytest.raises(NotAllowedToEnrol):
        revoke_channel_access(customer=bea, actor=bea_login, reason="mine")
    assert snapshot(carla) == before
