"""Two operators submit the end-of-day screen for the same date at the same moment: the date closes once."""

import threading

import pytest
from django.db import connection
from django.test import Client

from apps.eod.models import EodRun
from apps.organization import roles
from apps.organization.models import Bank
from apps.organization.tests.factories import StaffFactory

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True),
              pytest.mark.postgresql_only(reason="real threads on separate connections; the advisory lock")]
URL = "/admin/eod/eodrun/close/"


def test_two_simultaneous_confirmations_close_the_date_once(ops_admin, branch_b):
    # given two operators on the same page
    second = StaffFactory(role=roles.OPERATIONS_ADMIN, home_branch=branch_b)
    today = Bank.objects.get().current_business_date
    statuses, errors, barrier = [], [], threading.Barrier(2)

    def submit(user):
        try:
            client = Client()
            client.force_login(user)
            barrier.wait()
            statuses.append(client.post(URL, {"business_date": today.isoformat(), "attempts_seen": "0",
                                                       "confirm": "on"}).status_code)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(user,)) for user in (ops_admin, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # then one ran, the other was refused
    assert not errors
    assert sorted(statuses) == [302, 409]
    run = EodRun.objects.get()
    assert run.business_date == today and run.status == EodRun.Status.COMPLETED and run.attempts == 1
    assert Bank.objects.get().current_business_date == run.next_business_date
