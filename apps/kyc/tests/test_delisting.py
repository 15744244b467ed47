"""A re-imported list drops a name: the entry is delisted (kept), open hits on it are closed by the import,
confirmed matches wait for a compliance officer, and a name that comes back is listed again."""

import io

import pytest
from django.utils import timezone

from apps.customers.models import Customer
from apps.customers.tests.factories import CustomerFactory, kyc_document
from apps.domain_errors import DomainError
from apps.kyc.errors import HitAlreadyDecided, InvalidScreeningList, NoDelistingReview, NotAllowedToReview
from apps.kyc.models import KycCheck, ScreeningEntry, ScreeningHit, ScreeningListImport, ScreeningToken
from apps.kyc.rules import required_document_types
from apps.kyc.services import (
    decide_screening_hit,
    import_screening_list,
    review_delisted_match,
    run_kyc_check,
    screen_customer,
)
from apps.kyc.tests.factories import SANCTIONS_LIST, ListRowFactory, import_list
from apps.outbox.models import OutboxEvent
from tests.database_refusals import refused_by

pytestmark = pytest.mark.django_db


def ivan():
    return ListRowFactory(name="Ivan Petrov", source_id="EU-1")


def hans():
    return ListRowFactory(name="Hans Gruber", source_id="EU-2")


def chen():
    return ListRowFactory(name="Wei Li Chen", source_id="EU-3")


def _matching_customer(branch, name="Ivan Petrov", **kwargs):
    """A customer onboarded while the entry is listed: an open hit, every required document on file."""
    customer = CustomerFactory(branch=branch, legal_name=name, **kwargs)
    for document_type in required_document_types(customer):
        kyc_document(customer, document_type, status="received")
    return customer


def _confirmed_match(branch, officer):
    """A customer confirmed as the listed party: KYC rejected, risk high."""
    customer = _matching_customer(branch)
    decide_screening_hit(hit=customer.screening_hits.get(), officer=officer, confirm=True, reason="Same passport")
    run_kyc_check(customer=customer)
    return customer


def _history_count(model):
    return model.history.count()


# --- the entry ----------------------------------------------------------------------------------------------

def test_an_entry_missing_from_a_new_file_of_its_list_is_delisted_not_deleted(bank):
    # given a list of two names
    import_list(ivan(), hans())
    # when the list comes again without Ivan Petrov
    record = import_list(hans())
    # then the entry is kept, marked delisted by that import
    entry = ScreeningEntry.objects.get(source_id="EU-1")
    assert (entry.delisted_on_import, entry.delisted_at) == (record, record.imported_at)
    assert not entry.is_listed
    assert ScreeningEntry.objects.get(source_id="EU-2").is_listed


def test_a_delisted_entry_leaves_the_screening_index(bank):
    import_list(ivan(), hans())
    import_list(hans())
    assert not ScreeningToken.objects.filter(entry__source_id="EU-1").exists()


def test_entries_of_lists_the_file_does_not_name_stay_listed(bank):
    # given a sanctions list and a PEP list
    import_list(ivan(), ListRowFactory(name="Ana Costa", list_name="PEP Portugal", source_id="PEP-1"))
    # when a file of the sanctions list alone is imported
    import_list(ivan())
    # then the PEP list is untouched
    assert ScreeningEntry.objects.get(source_id="PEP-1").is_listed


def test_the_import_records_the_lists_it_replaced_and_what_it_delisted(bank):
    import_list(ivan(), hans(), chen())
    record = import_list(chen())
    assert record.list_names == [SANCTIONS_LIST]
    assert (record.entries_created, record.entries_updated, record.entries_delisted, record.entries_relisted) == \
        (0, 0, 2, 0)


def test_a_refused_file_delists_nothing(bank):
    # given a listed entry
    import_list(ivan(), hans())
    entries_history = _history_count(ScreeningEntry)
    # when a file of the same list without it is refused for a bad line
    bad = ("name,aliases,date_of_birth,country,list_name,source_id\n"
           f"Hans Gruber,,1970-03-01,DE,{SANCTIONS_LIST},EU-2\nNo Date,,03/01/1970,DE,{SANCTIONS_LIST},EU-3\n")
    with pytest.raises(InvalidScreeningList):
        import_screening_list(stream=io.StringIO(bad), file_name="bad.csv")
    # then nothing was delisted or recorded
    assert ScreeningEntry.objects.get(source_id="EU-1").is_listed
    assert _history_count(ScreeningEntry) == entries_history
    assert ScreeningListImport.objects.count() == 1


def test_screening_never_matches_a_delisted_entry(branch_a):
    # given Ivan Petrov delisted
    import_list(ivan(), hans())
    import_list(hans())
    # when a customer of that name is onboarded (and screened)
    customer = CustomerFactory(branch=branch_a, legal_name="Ivan Petrov")
    # then there is no hit
    assert screen_customer(customer=customer) == []
    assert not ScreeningHit.objects.filter(customer=customer).exists()


# --- open hits ----------------------------------------------------------------------------------------------

def test_an_open_hit_on_a_delisted_entry_is_closed_with_the_reason_by_the_importer(branch_a, ops_admin):
    # given an open hit on Ivan Petrov
    import_list(ivan(), hans())
    customer = _matching_customer(branch_a)
    # when a file without him is imported by a staff member
    record = import_list(hans(), actor=ops_admin)
    # then the hit is closed by that import, with who, when and why
    hit = customer.screening_hits.get()
    assert hit.status == ScreeningHit.Status.DELISTED
    assert (hit.decided_by, hit.decided_at, hit.delisted_on_import) == (ops_admin, record.imported_at, record)
    assert hit.decision_reason == (f"entry removed from list {SANCTIONS_LIST} on import of "
                                   f"{record.imported_at:%Y-%m-%d} (import #{record.pk})")
    assert hit.delisting_review == ""
    assert record.hits_closed == 1


def test_the_automatic_close_is_in_the_hit_history_with_who_and_why(branch_a, ops_admin):
    import_list(ivan(), hans())
    customer = _matching_customer(branch_a)
    import_list(hans(), actor=ops_admin)
    last = customer.screening_hits.get().history.order_by("-history_id").first()
    assert (last.status, last.history_user) == ("delisted", ops_admin)
    assert last.history_change_reason.startswith(f"entry removed from list {SANCTIONS_LIST} on import of ")


def test_an_import_without_a_user_closes_open_hits_as_the_system(branch_a):
    import_list(ivan(), hans())
    customer = _matching_customer(branch_a)
    import_list(hans())  # the management command: no user
    hit = customer.screening_hits.get()
    assert (hit.status, hit.decided_by) == ("delisted", None)
    assert hit.history.order_by("-history_id").first().history_user is None


def test_closing_an_open_hit_checks_the_customers_kyc_again(branch_a, django_capture_on_commit_callbacks):
    # given a customer in manual review for an open sanctions hit
    import_list(ivan(), hans())
    customer = _matching_customer(branch_a)
    run_kyc_check(customer=customer)
    assert Customer.objects.get(pk=customer.pk).kyc_status == "in_progress"
    # when the name leaves the list
    with django_capture_on_commit_callbacks(execute=True):
        import_list(hans())
    # then the KYC check ran again, without the hit
    customer.refresh_from_db()
    assert customer.kyc_status == "verified"
    assert KycCheck.objects.filter(customer=customer).first().inputs["screening_hits"] == []


def test_closing_an_open_hit_publishes_the_hit_decided_event(branch_a):
    import_list(ivan(), hans())
    customer = _matching_customer(branch_a)
    import_list(hans())
    event = OutboxEvent.objects.get(event_type="screening.hit_decided")
    assert event.payload == {"hit_id": customer.screening_hits.get().pk, "customer_id": customer.pk,
                             "entry_id": ScreeningEntry.objects.get(source_id="EU-1").pk, "status": "delisted"}


def test_a_closed_hit_can_no_longer_be_confirmed_or_dismissed(branch_a, compliance_officer):
    # given a hit closed by a delisting
    import_list(ivan(), hans())
    customer = _matching_customer(branch_a)
    import_list(hans())
    hit = customer.screening_hits.get()
    hits_history = _history_count(ScreeningHit)
    # when an officer still tries to confirm it
    with pytest.raises(HitAlreadyDecided):
        decide_screening_hit(hit=hit, officer=compliance_officer, confirm=True, reason="Same passport")
    # then it stays closed, unchanged
    assert ScreeningHit.objects.get(pk=hit.pk).status == "delisted"
    assert _history_count(ScreeningHit) == hits_history


def test_a_dismissed_hit_on_a_delisted_entry_is_left_as_it_is(branch_a, compliance_officer):
    import_list(ivan(), hans())
    customer = _matching_customer(branch_a)
    decide_screening_hit(hit=customer.screening_hits.get(), officer=compliance_officer, confirm=False,
                         reason="Different person")
    hits_history = _history_count(ScreeningHit)
    import_list(hans())
    hit = customer.screening_hits.get()
    assert (hit.status, hit.delisted_on_import, hit.delisting_review) == ("dismissed", None, "")
    assert _history_count(ScreeningHit) == hits_history


# --- confirmed matches --------------------------------------------------------------------------------------

def test_a_confirmed_match_on_a_delisted_entry_is_flagged_for_review_not_cleared(branch_a, compliance_officer):
    # given a confirmed match
    import_list(ivan(), hans())
    customer = _confirmed_match(branch_a, compliance_officer)
    # when the name leaves the list
    record = import_list(hans())
    # then the match stays confirmed, as decided, and waits for a compliance officer
    hit = customer.screening_hits.get()
    assert (hit.status, hit.decided_by, hit.decision_reason) == ("confirmed", compliance_officer, "Same passport")
    assert (hit.delisting_review, hit.delisted_on_import) == ("pending", record)
    assert record.hits_to_review == 1


def test_flagging_a_confirmed_match_leaves_the_customers_kyc_alone(branch_a, compliance_officer,
                                                                   django_capture_on_commit_callbacks):
    import_list(ivan(), hans())
    customer = _confirmed_match(branch_a, compliance_officer)
    checks = KycCheck.objects.filter(customer=customer).count()
    with django_capture_on_commit_callbacks(execute=True):
        import_list(hans())
    customer.refresh_from_db()
    assert (customer.kyc_status, customer.risk_rating) == ("rejected", "high")
    assert KycCheck.objects.filter(customer=customer).count() == checks


def test_compliance_releases_a_delisted_match_and_the_kyc_check_runs_again(branch_a, compliance_officer,
                                                                           django_capture_on_commit_callbacks):
    # given a confirmed match whose entry left the list
    import_list(ivan(), hans())
    customer = _confirmed_match(branch_a, compliance_officer)
    import_list(hans())
    # when compliance releases it
    with django_capture_on_commit_callbacks(execute=True):
        review_delisted_match(hit=customer.screening_hits.get(), officer=compliance_officer, release=True,
                              reason="Delisted by the EU council decision")
    # then the hit is closed, the release recorded, and the KYC check decided again without it
    hit = customer.screening_hits.get()
    assert (hit.status, hit.delisting_review) == ("delisted", "released")
    assert (hit.delisting_reviewed_by, hit.delisting_review_reason) == (compliance_officer,
                                                                        "Delisted by the EU council decision")
    assert hit.decided_by == compliance_officer  # who confirmed the match stays on record
    customer.refresh_from_db()
    assert (customer.kyc_status, customer.risk_rating) == ("verified", "low")


def test_compliance_keeps_a_delisted_match_and_the_customer_stays_rejected(branch_a, compliance_officer,
                                                                           django_capture_on_commit_callbacks):
    import_list(ivan(), hans())
    customer = _confirmed_match(branch_a, compliance_officer)
    import_list(hans())
    checks = KycCheck.objects.filter(customer=customer).count()
    with django_capture_on_commit_callbacks(execute=True):
        review_delisted_match(hit=customer.screening_hits.get(), officer=compliance_officer, release=False,
                              reason="Still on the UN list; bank policy")
    hit = customer.screening_hits.get()
    assert (hit.status, hit.delisting_review, hit.delisting_reviewed_by) == ("confirmed", "kept", compliance_officer)
    assert Customer.objects.get(pk=customer.pk).kyc_status == "rejected"
    assert KycCheck.objects.filter(customer=customer).count() == checks


def test_only_compliance_reviews_a_delisted_match(branch_a, compliance_officer, teller_a):
    import_list(ivan(), hans())
    customer = _confirmed_match(branch_a, compliance_officer)
    import_list(hans())
    hits_history = _history_count(ScreeningHit)
    with pytest.raises(NotAllowedToReview):
        review_delisted_match(hit=customer.screening_hits.get(), officer=teller_a, release=True, reason="Delisted")
    hit = customer.screening_hits.get()
    assert (hit.status, hit.delisting_review, hit.delisting_reviewed_by) == ("confirmed", "pending", None)
    assert _history_count(ScreeningHit) == hits_history


def test_a_delisting_review_needs_a_reason(branch_a, compliance_officer):
    import_list(ivan(), hans())
    customer = _confirmed_match(branch_a, compliance_officer)
    import_list(hans())
    with pytest.raises(DomainError) as refused:
        review_delisted_match(hit=customer.screening_hits.get(), officer=compliance_officer, release=True,
                              reason="  ")
    assert refused.value.code == "reason_required"
    assert customer.screening_hits.get().delisting_review == "pending"


def test_a_match_without_a_pending_delisting_review_cannot_be_reviewed(branch_a, compliance_officer):
    # given a confirmed match whose entry is still listed
    import_list(ivan(), hans())
    customer = _confirmed_match(branch_a, compliance_officer)
    hits_history = _history_count(ScreeningHit)
    # when compliance tries to release it
    with pytest.raises(NoDelistingReview):
        review_delisted_match(hit=customer.screening_hits.get(), officer=compliance_officer, release=True,
                              reason="Delisted")
    # then nothing changed
    assert (customer.screening_hits.get().status, customer.screening_hits.get().delisting_review) == ("confirmed", "")
    assert _history_count(ScreeningHit) == hits_history


# --- idempotency and coming back ----------------------------------------------------------------------------

def test_importing_the_same_list_twice_changes_nothing_the_second_time(branch_a, compliance_officer,
                                                                       django_capture_on_commit_callbacks):
    # given a list re-imported without two names, one with an open hit, one with a confirmed match
    import_list(ivan(), hans(), chen())
    open_customer = _matching_customer(branch_a)
    confirmed_customer = _matching_customer(branch_a, name="Hans Gruber")
    decide_screening_hit(hit=confirmed_customer.screening_hits.get(), officer=compliance_officer, confirm=True,
                         reason="Same passport")
    import_list(chen())
    before = (_history_count(ScreeningEntry), _history_count(ScreeningHit), OutboxEvent.objects.count(),
              list(ScreeningHit.objects.order_by("pk").values()), list(ScreeningEntry.objects.order_by("pk").values()))
    # when the same file comes again
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        record = import_list(chen())
    # then nothing changed, and no KYC check was started
    after = (_history_count(ScreeningEntry), _history_count(ScreeningHit), OutboxEvent.objects.count(),
             list(ScreeningHit.objects.order_by("pk").values()), list(ScreeningEntry.objects.order_by("pk").values()))
    assert after == before
    assert (record.entries_created, record.entries_updated, record.entries_delisted, record.hits_closed,
            record.hits_to_review) == (0, 0, 0, 0, 0)
    assert callbacks == []
    assert {open_customer.screening_hits.get().status, confirmed_customer.screening_hits.get().status} == \
        {"delisted", "confirmed"}


def test_a_delisted_entry_that_reappears_is_listed_again(bank):
    import_list(ivan(), hans())
    import_list(hans())
    record = import_list(ivan(), hans())
    entry = ScreeningEntry.objects.get(source_id="EU-1")
    assert entry.is_listed
    assert (entry.delisted_at, entry.delisted_on_import) == (None, None)
    assert ScreeningToken.objects.filter(entry=entry).exists()
    assert (record.entries_relisted, record.entries_created) == (1, 0)


def test_a_reappearing_entry_matches_again_and_reopens_the_hit_it_closed(branch_a):
    # given a hit closed when Ivan Petrov left the list
    import_list(ivan(), hans())
    customer = _matching_customer(branch_a)
    import_list(hans())
    # when he is back on the list and the customer is screened again
    import_list(ivan(), hans())
    reopened = screen_customer(customer=customer)
    # then the same hit is open again, for a compliance officer
    hit = customer.screening_hits.get()
    assert reopened == [hit]
    assert (hit.status, hit.decided_by, hit.decided_at, hit.decision_reason, hit.delisted_on_import) == \
        ("open", None, None, "", None)


def test_a_reappearing_entry_withdraws_the_pending_review_of_its_confirmed_match(branch_a, compliance_officer):
    import_list(ivan(), hans())
    customer = _confirmed_match(branch_a, compliance_officer)
    import_list(hans())
    import_list(ivan(), hans())
    hit = customer.screening_hits.get()
    assert (hit.status, hit.delisting_review, hit.delisted_on_import) == ("confirmed", "", None)


# --- the database backs the rules ---------------------------------------------------------------------------

def test_the_database_refuses_a_delisted_entry_without_its_import(bank):
    import_list(ivan())
    with refused_by("screening_entry_delisted_by_an_import"):
        ScreeningEntry.objects.filter(source_id="EU-1").update(delisted_at=timezone.now())


def test_the_database_refuses_a_hit_closed_by_delisting_without_its_import(branch_a):
    import_list(ivan())
    customer = _matching_customer(branch_a)
    with refused_by("screening_hit_decision_complete"):
        ScreeningHit.objects.filter(customer=customer).update(status="delisted", decided_at=timezone.now(),
                                                              decision_reason="removed")


def test_the_database_refuses_a_delisting_review_of_a_hit_not_confirmed(branch_a):
    import_list(ivan(), hans())
    customer = _matching_customer(branch_a)
    record = import_list(ivan(), hans())
    with refused_by("screening_hit_delisting_review_complete"):
        ScreeningHit.objects.filter(customer=customer).update(delisting_review="pending", delisted_on_import=record)


def test_the_import_command_reports_delisted_entries_and_closed_hits(branch_a, tmp_path, compliance_officer):
    from django.core.management import call_command

    from apps.kyc.tests.factories import list_file

    import_list(ivan(), hans(), chen())
    _matching_customer(branch_a)
    confirmed = _matching_customer(branch_a, name="Hans Gruber")
    decide_screening_hit(hit=confirmed.screening_hits.get(), officer=compliance_officer, confirm=True,
                         reason="Same passport")
    path = tmp_path / "eu.csv"
    path.write_text(list_file(chen()).getvalue())
    out = io.StringIO()
    call_command("import_screening_list", path, stdout=out)
    text = out.getvalue()
    assert f"Lists replaced: {SANCTIONS_LIST}." in text
    assert "2 entries delisted, 0 listed again; 1 open hits closed, 1 confirmed matches to review" in text
