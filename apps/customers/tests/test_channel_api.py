"""The channel login's public endpoints: redeeming an enrolment or reset code, asking for a reset. Bad input is a
4xx problem with a code and writes nothing; the reset request answers the same for any username; redeeming is
throttled; two redemptions of one code racing: one wins."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.customers.models import ChannelCode
from apps.customers.services import enrol_customer_for_channels, issue_password_reset, redeem_channel_code
from apps.customers.tests.factories import CustomerFactory
from apps.organization.models import User
from tests.races import run_in_threads

PASSWORD = "correct horse battery staple 42"
REDEEM = "v1:enrolment-redeem"


def post(name, body, client=None):
    return (client or APIClient()).post(reverse(name), body, format="json")


def problem_code(response):
    assert response["Content-Type"] == "application/problem+json", response.content
    return response.status_code, response.json()["code"]


@pytest.mark.django_db
def test_the_customer_redeems_the_enrolment_code_then_logs_in(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a, email="lia@example.test")
    issued = enrol_customer_for_channels(customer=customer, actor=teller_a)
    response = post(REDEEM, {"code": issued.code, "password": PASSWORD})
    assert (response.status_code, response.json()) == (200, {"username": "lia@example.test"})
    login = post("v1:auth-token", {"username": "lia@example.test", "password": PASSWORD})
    assert login.status_code == 200
    me = APIClient(headers={"Authorization": f"Token {login.json()['token']}"}).get(reverse("v1:me"))
    assert me.json()["id"] == customer.pk


@pytest.mark.django_db
def test_a_replayed_code_is_a_409_problem_and_the_password_stays(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a)
    issued = enrol_customer_for_channels(customer=customer, actor=teller_a)
    assert post(REDEEM, {"code": issued.code, "password": PASSWORD}).status_code == 200
    replay = post(REDEEM, {"code": issued.code, "password": "the attacker's passphrase 1"})
    assert problem_code(replay) == (409, "channel_code_used")
    assert User.objects.get(customer=customer).check_password(PASSWORD)


@pytest.mark.django_db
def test_an_expired_code_is_a_400_problem_and_nothing_is_written(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a)
    issued = enrol_customer_for_channels(customer=customer, actor=teller_a,
                                         now=timezone.now() - datetime.timedelta(hours=2),
                                         ttl=datetime.timedelta(hours=1))
    assert problem_code(post(REDEEM, {"code": issued.code, "password": PASSWORD})) == (400, "channel_code_expired")
    assert ChannelCode.objects.get(customer=customer).redeemed_at is None
    assert not User.objects.get(customer=customer).has_usable_password()


@pytest.mark.django_db
@pytest.mark.parametrize("body, expected", [
    ({"code": "ABCD-EFGH-JKMN-PQRS-TVWX", "password": PASSWORD}, (400, "channel_code_unknown")),
    ({"code": "", "password": PASSWORD}, (400, "validation_error")),
    ({"code": "x" * 65, "password": PASSWORD}, (400, "validation_error")),
    ({"code": ["a"], "password": {"a": 1}}, (400, "validation_error")),
    ({"password": PASSWORD}, (400, "validation_error")),
    ([1, 2], (400, "validation_error")),
    ({"code": "ÿ-ǅ-٣", "password": "\u202e"}, (400, "channel_code_unknown")),
])
def test_junk_is_a_400_problem(body, expected):
    assert problem_code(post(REDEEM, body)) == expected


@pytest.mark.django_db
def test_a_weak_password_is_a_400_problem_in_the_validators_words(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a)
    issued = enrol_customer_for_channels(customer=customer, actor=teller_a)
    response = post(REDEEM, {"code": issued.code, "password": "password"})
    assert problem_code(response) == (400, "password_invalid")
    assert "too common" in response.json()["detail"]
    assert ChannelCode.objects.get(customer=customer).redeemed_at is None


@pytest.mark.django_db
def test_a_reset_code_redeems_only_at_the_reset_endpoint_and_logs_every_device_out(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a)
    issued = enrol_customer_for_channels(customer=customer, actor=teller_a)
    user = redeem_channel_code(code=issued.code, password=PASSWORD, purpose=ChannelCode.Purpose.ENROLMENT)
    token = post("v1:auth-token", {"username": user.username, "password": PASSWORD}).json()["token"]
    reset = issue_password_reset(customer=customer, actor=teller_a)
    assert problem_code(post(REDEEM, {"code": reset.code, "password": PASSWORD})) == (400, "channel_code_unknown")
    assert post("v1:password-reset-redeem", {"code": reset.code, "password": "a brand new passphrase 9"}
                ).status_code == 200
    assert APIClient(headers={"Authorization": f"Token {token}"}).get(reverse("v1:me")).status_code == 401


@pytest.mark.django_db
def test_the_reset_request_answers_the_same_whether_or_not_the_login_exists(teller_a, branch_a,
                                                                          django_capture_on_commit_callbacks):
    customer = CustomerFactory(branch=branch_a, email="ines@example.test")
    issued = enrol_customer_for_channels(customer=customer, actor=teller_a)
    redeem_channel_code(code=issued.code, password=PASSWORD, purpose=ChannelCode.Purpose.ENROLMENT)
    with django_capture_on_commit_callbacks(execute=True):
        known = post("v1:password-reset", {"username": "ines@example.test"})
        unknown = post("v1:password-reset", {"username": "nobody@example.test"})
        staff = post("v1:password-reset", {"username": teller_a.username})
    assert known.status_code == unknown.status_code == staff.status_code == 202
    assert known.json() == unknown.json() == staff.json()
    assert [message.to for message in mail.outbox] == [["ines@example.test"]]


@pytest.mark.django_db
def test_redeeming_is_throttled(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "channel_code": "3/minute"}}
    from rest_framework.throttling import ScopedRateThrottle

    ScopedRateThrottle.THROTTLE_RATES = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    try:
        answers = [post(REDEEM, {"code": f"WRONG{n}", "password": PASSWORD}).status_code for n in range(4)]
    finally:
        from rest_framework.settings import api_settings

        ScopedRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert answers == [400, 400, 400, 429]


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_two_redemptions_of_one_code_racing_one_wins(teller_a, branch_a):
    customer = CustomerFactory(branch=branch_a)
    issued = enrol_customer_for_channels(customer=customer, actor=teller_a)
    passwords = ["first racer's passphrase 1", "second racer's passphrase 2"]
    answers = {}

    def work(index):
        answers[index] = post(REDEEM, {"code": issued.code, "password": passwords[index]})

    assert run_in_threads(work, threads=2) == []
    outcomes = sorted((answer.status_code, answer.json().get("code")) for answer in answers.values())
    assert outcomes == [(200, None), (409, "channel_code_used")]
    winner = next(index for index, answer in answers.items() if answer.status_code == 200)
    assert User.objects.get(customer=customer).check_password(passwords[winner])
    assert ChannelCode.history.filter(customer_id=customer.pk, redeemed_at__isnull=False).count() == 1


@pytest.mark.django_db
def test_another_customer_asking_for_a_reset_of_someone_elses_login_learns_nothing(teller_a, branch_a,
                                                                                  django_capture_on_commit_callbacks):
    """Customer Bea, logged in, asks for Carla's reset: the same 202, and the code goes to Carla's address only."""
    bea, carla = (CustomerFactory(branch=branch_a, email=f"{name}@example.test") for name in ("bea", "carla"))
    for customer in (bea, carla):
        issued = enrol_customer_for_channels(customer=customer, actor=teller_a)
        redeem_channel_code(code=issued.code, password=PASSWORD, purpose=ChannelCode.Purpose.ENROLMENT)
    token = post("v1:auth-token", {"username": "bea@example.test", "password": PASSWORD}).json()["token"]
    as_bea = APIClient(headers={"Authorization": f"Token {token}"})
    with django_capture_on_commit_callbacks(execute=True):
        response = post("v1:password-reset", {"username": "carla@example.test"}, client=as_bea)
    assert response.status_code == 202 and "code" not in response.json()
    assert [message.to for message in mail.outbox] == [["carla@example.test"]]
    assert User.objects.get(customer=carla).check_password(PASSWORD)  # unchanged until Carla redeems
