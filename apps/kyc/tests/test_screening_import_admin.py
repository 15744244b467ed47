"""Importing a sanctions/PEP list from the admin: the same service as ``manage.py import_screening_list``, with
its mass-delisting guard and reason; the import's counts are shown after."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from apps.customers.tests.factories import CustomerFactory
from apps.kyc.models import ScreeningEntry, ScreeningHit, ScreeningListImport
from apps.kyc.tests.factories import ListRowFactory, import_list, list_file

pytestmark = pytest.mark.django_db
UPLOAD = reverse("admin:kyc_screeninglistimport_upload")


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.SCREENING_MAX_DELISTED_SHARE = Decimal("0.10")
    settings.SCREENING_MAX_DELISTED_FLOOR = 5


def _login(user):
    client = Client()
    client.force_login(user)
    return client


def _upload(*rows, name="eu-sanctions.csv"):
    return SimpleUploadedFile(name, list_file(*rows).getvalue().encode("utf-8"), content_type="text/csv")


def test_operations_imports_a_list_and_sees_its_counts(ops_admin, branch_a):
    # given a customer who is on the list
    CustomerFactory(branch=branch_a, legal_name="Ivan Petrov")
    client = _login(ops_admin)
    listing = client.get(reverse("admin:kyc_screeninglistimport_changelist")).content.decode()
    assert "Import a screening list" in listing
    assert 'value="Import list"' in client.get(UPLOAD).content.decode()
    # when
    response = client.post(UPLOAD, {"file": _upload(ListRowFactory(name="Ivan Petrov", source_id="EU-1"),
                                                    ListRowFactory(name="Hans Gruber", source_id="EU-2"))},
                           follow=True)
    # then
    record = ScreeningListImport.objects.get()
    assert response.redirect_chain[-1][0] == reverse("admin:kyc_screeninglistimport_change", args=[record.pk])
    page = response.content.decode()
    assert "Imported eu-sanctions.csv: 2 entries created, 0 updated, 0 delisted" in page
    assert "Customers queued for re-screening: 1." in page
    assert record.imported_by == ops_admin and record.entries_created == 2
    assert ScreeningEntry.objects.count() == 2
    # the re-screening ran (eager Celery in the tests): Ivan Petrov has a hit to review
    assert ScreeningHit.objects.filter(customer__legal_name="Ivan Petrov").exists()


def test_a_mass_delisting_is_refused_until_allowed_with_a_reason(ops_admin):
    # given a list of 12 entries, and a file holding one of them
    rows = [ListRowFactory() for _ in range(12)]
    import_list(*rows)
    client = _login(ops_admin)
    # when the file is uploaded as it is
    refused = client.post(UPLOAD, {"file": _upload(rows[0])})
    # then it is refused whole
    assert refused.status_code == 200 and "Allow mass delisting" in refused.content.decode()
    assert "errornote" in refused.content.decode()
    assert ScreeningListImport.objects.count() == 1
    assert ScreeningEntry.objects.filter(delisted_at__isnull=True).count() == 12
    # allowed without a reason: refused too
    no_reason = client.post(UPLOAD, {"file": _upload(rows[0]), "allow_mass_delisting": "on"})
    assert "Say why" in no_reason.content.decode() and ScreeningListImport.objects.count() == 1
    # allowed with a reason: imported, and the reason kept
    client.post(UPLOAD, {"file": _upload(rows[0]), "allow_mass_delisting": "on",
                         "mass_delisting_reason": "Programme ended"})
    record = ScreeningListImport.objects.latest("pk")
    assert record.mass_delisting_allowed and record.mass_delisting_reason == "Programme ended"
    assert (record.entries_delisted, record.mass_delisting_allowed_by) == (11, ops_admin)


def test_a_bad_line_refuses_the_file_and_writes_nothing(ops_admin):
    bad = SimpleUploadedFile("bad.csv", b"name,aliases,date_of_birth,country,list_name,source_id\n"
                                        b"Ivan,,31-12-1970,XX,EU,EU-1\n", content_type="text/csv")
    response = _login(ops_admin).post(UPLOAD, {"file": bad})
    assert response.status_code == 200 and "Nothing was imported." in response.content.decode()
    assert not ScreeningListImport.objects.exists() and not ScreeningEntry.objects.exists()


def test_a_teller_may_not_import(teller_a):
    client = _login(teller_a)
    response = client.post(UPLOAD, {"file": _upload(ListRowFactory())})
    assert response.status_code == 403
    assert not ScreeningListImport.objects.exists() and not ScreeningEntry.objects.exists()
