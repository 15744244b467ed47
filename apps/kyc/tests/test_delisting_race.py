"""Screening races a delisting on PostgreSQL: a hit recorded against the entry either is closed by the import or
is never recorded (apps.kyc.locks), so no open hit is ever left on a delisted entry."""

import threading

import pytest
from django.db import connection

from apps.customers.tests.factories import CustomerFactory
from apps.kyc.models import ScreeningHit
from apps.kyc.services import screen_customer
from apps.kyc.tests.factories import ListRowFactory, import_list

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]
SCREENERS = 4
CUSTOMERS_PER_SCREENER = 6
ROUNDS = 4


def test_no_open_hit_is_left_on_an_entry_delisted_while_customers_are_screened(branch_a):
    # given customers named like an entry that is not listed yet, so they have no hit
    ivan, hans = (ListRowFactory(name="Ivan Petrov", source_id="EU-1"),
                  ListRowFactory(name="Hans Gruber", source_id="EU-2"))
    import_list(hans)
    customers = [CustomerFactory(branch=branch_a, legal_name="Ivan Petrov")
                 for _ in range(SCREENERS * CUSTOMERS_PER_SCREENER)]
    errors = []

    def work(barrier, action):
        try:
            barrier.wait()
            action()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    def screen(part):
        for customer in customers[part::SCREENERS]:
            screen_customer(customer=customer)

    for _ in range(ROUNDS):
        # when the entry is listed, then delisted while four threads screen the customers
        import_list(ivan, hans)
        barrier = threading.Barrier(SCREENERS + 1)
        threads = [threading.Thread(target=work, args=(barrier, lambda part=part: screen(part)))
                   for part in range(SCREENERS)]
        threads.append(threading.Thread(target=work, args=(barrier, lambda: import_list(hans))))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # then no hit on the delisted entry is open
        assert errors == []
        assert not ScreeningHit.objects.filter(entry__source_id="EU-1", status="open").exists()
