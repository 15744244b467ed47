"""Screening in the admin: delisted entries and the hits their delisting closed or flagged, shown and filtered,
the delisting review as an action; list pages cost the same queries whatever their length."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from apps.customers.tests.factories import CustomerFactory
from apps.kyc.models import ScreeningEntry, ScreeningHit
from apps.kyc.services import decide_screening_hit
from apps.kyc.tests.factories import ListRowFactory, import_list

pytestmark = pytest.mark.django_db
HITS = "admin:kyc_screeninghit_changelist"
ENTRIES = "admin:kyc_screeningentry_changelist"
IMPORTS = "admin:kyc_screeninglistimport_changelist"


def admin_client(user):
    client = Client()
    client.force_login(user)
    return client


def _delisted_hits(branch, officer):
    """Ivan Petrov (open hit) and Hans Gruber (confirmed) leave the list; Li Wei (open hit) stays."""
    rows = [ListRowFactory(name="Ivan Petrov", source_id="EU-1"), ListRowFactory(name="Hans Gruber", source_id="EU-2"),
            ListRowFactory(name="Wei Li Chen", source_id="EU-3")]
    import_list(*rows)
    for name in ("Ivan Petrov", "Hans Gruber", "Wei Li Chen"):
        CustomerFactory(branch=branch, legal_name=name)
    decide_screening_hit(hit=ScreeningHit.objects.get(entry__source_id="EU-2"), officer=officer, confirm=True,
                         reason="Same passport")
    import_list(rows[2])


def test_the_import_list_filters_imports_that_allowed_a_mass_delisting(bank, compliance_officer, ops_admin):
    # given an ordinary import, and one whose mass delisting someone allowed
    rows = [ListRowFactory() for _ in range(12)]
    import_list(*rows, file_name="complete.csv")
    record = import_list(rows[0], file_name="programme-ended.csv", actor=ops_admin, allow_mass_delisting=True,
                         mass_delisting_reason="Programme ended")
    client = admin_client(compliance_officer)
    # when compliance filters the imports on it
    page = client.get(reverse(IMPORTS), {"mass_delisting_allowed__exact": "1"}).content.decode()
    # then only that import is listed, and its page says who allowed it and why
    assert "programme-ended.csv" in page and "complete.csv" not in page
    detail = client.get(reverse("admin:kyc_screeninglistimport_change", args=[record.pk])).content.decode()
    assert "Programme ended" in detail and ops_admin.get_username() in detail


def test_the_entry_list_filters_delisted_entries(branch_a, compliance_officer):
    _delisted_hits(branch_a, compliance_officer)
    client = admin_client(compliance_officer)
    delisted = client.get(reverse(ENTRIES), {"on_list": "delisted"}).content.decode()
    listed = client.get(reverse(ENTRIES), {"on_list": "listed"}).content.decode()
    assert "Ivan Petrov" in delisted and "Hans Gruber" in delisted and "Wei Li Chen" not in delisted
    assert "Wei Li Chen" in listed and "Ivan Petrov" not in listed


def test_the_entry_page_shows_when_and_by_which_import_it_was_delisted(branch_a, compliance_officer):
    _delisted_hits(branch_a, compliance_officer)
    entry = ScreeningEntry.objects.get(source_id="EU-1")
    page = admin_client(compliance_officer).get(
        reverse("admin:kyc_screeningentry_change", args=[entry.pk])).content.decode()
    assert "Delisted on import" in page and str(entry.delisted_on_import) in page


def test_the_hit_list_filters_hits_closed_by_delisting(branch_a, compliance_officer):
    _delisted_hits(branch_a, compliance_officer)
    page = admin_client(compliance_officer).get(reverse(HITS), {"status__exact": "delisted"}).content.decode()
    assert "Ivan Petrov" in page
    assert "Hans Gruber" not in page and "Wei Li Chen" not in page


def test_the_hit_list_filters_matches_waiting_for_a_delisting_review(branch_a, compliance_officer):
    _delisted_hits(branch_a, compliance_officer)
    page = admin_client(compliance_officer).get(reverse(HITS), {"delisting_review__exact": "pending"}) \
        .content.decode()
    assert "Hans Gruber" in page
    assert "Ivan Petrov" not in page and "Wei Li Chen" not in page


def test_a_closed_hits_page_shows_its_delisting_read_only(branch_a, compliance_officer):
    _delisted_hits(branch_a, compliance_officer)
    hit = ScreeningHit.objects.get(entry__source_id="EU-1")
    page = admin_client(compliance_officer).get(reverse("admin:kyc_screeninghit_change", args=[hit.pk])) \
        .content.decode()
    assert hit.decision_reason in page
    assert "Closed: entry delisted" in page
    assert 'name="decision_reason"' not in page


@pytest.mark.parametrize("extra", [0, 10])
def test_the_hit_list_costs_the_same_queries_whatever_its_length(branch_a, compliance_officer, extra,
                                                                 django_assert_max_num_queries):
    _delisted_hits(branch_a, compliance_officer)
    rows = [ListRowFactory(name=f"Listed Person{chr(65 + n)} Tester", source_id=f"X-{n}") for n in range(extra)]
    import_list(*rows, ListRowFactory(source_id="X-end"))
    for row in rows:
        CustomerFactory(branch=branch_a, legal_name=row["name"])
    # every X- hit is closed by delisting: a mass delisting once there are more than a few
    import_list(ListRowFactory(source_id="X-end"), allow_mass_delisting=True, mass_delisting_reason="test list")
    assert ScreeningHit.objects.filter(status="delisted").count() >= extra + 1
    client = admin_client(compliance_officer)
    client.get(reverse(HITS))  # warm the session
    with django_assert_max_num_queries(9):
        response = client.get(reverse(HITS))
    assert response.status_code == 200


@pytest.mark.parametrize("extra", [0, 10])
def test_the_entry_list_costs_the_same_queries_whatever_its_length(branch_a, compliance_officer, extra,
                                                                   django_assert_max_num_queries):
    _delisted_hits(branch_a, compliance_officer)
    import_list(*[ListRowFactory(list_name="OFAC SDN") for _ in range(extra)], ListRowFactory(list_name="OFAC SDN"))
    import_list(ListRowFactory(list_name="OFAC SDN", source_id="OFAC-only"), allow_mass_delisting=True,
                mass_delisting_reason="test list")
    assert ScreeningEntry.objects.filter(delisted_at__isnull=False).count() == extra + 3
    client = admin_client(compliance_officer)
    client.get(reverse(ENTRIES))
    with django_assert_max_num_queries(8):
        response = client.get(reverse(ENTRIES))
    assert response.status_code == 200


def test_compliance_releases_a_delisted_match_from_the_hit_list(branch_a, compliance_officer):
    _delisted_hits(branch_a, compliance_officer)
    hit = ScreeningHit.objects.get(entry__source_id="EU-2")
    admin_client(compliance_officer).post(reverse(HITS), {
        "action": "release_delisted_matches", ACTION_CHECKBOX_NAME: [hit.pk], "reason": "Delisted by the council"})
    hit.refresh_from_db()
    assert (hit.status, hit.delisting_review, hit.delisting_reviewed_by) == ("delisted", "released", compliance_officer)


def test_a_teller_cannot_release_a_delisted_match(branch_a, compliance_officer, teller_a):
    _delisted_hits(branch_a, compliance_officer)
    hit = ScreeningHit.objects.get(entry__source_id="EU-2")
    admin_client(teller_a).post(reverse(HITS), {
        "action": "release_delisted_matches", ACTION_CHECKBOX_NAME: [hit.pk], "reason": "Delisted"})
    hit.refresh_from_db()
    assert (hit.status, hit.delisting_review) == ("confirmed", "pending")
