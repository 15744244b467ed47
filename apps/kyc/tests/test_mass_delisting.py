"""A file that would delist more of a list than a normal update does — a file of changes only, a download cut
short at a line boundary — is refused as a whole and changes nothing, unless someone allows it with a reason.

The limit, per list: more than SCREENING_MAX_DELISTED_SHARE of its listed entries *and* more than
SCREENING_MAX_DELISTED_FLOOR of them. The tests set both (10%, 5), so they read without the defaults.
"""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from apps.customers.tests.factories import CustomerFactory
from apps.domain_errors import DomainError
from apps.kyc.errors import MassDelistingRefused
from apps.kyc.models import KycCheck, ScreeningEntry, ScreeningHit, ScreeningListImport, ScreeningToken
from apps.kyc.tests.factories import SANCTIONS_LIST, ListRowFactory, import_list, list_file
from apps.outbox.models import OutboxEvent
from tests.database_refusals import refused_by

pytestmark = pytest.mark.django_db
PEP_LIST = "PEP Portugal"
REASON = "OFAC ended the programme: 40 names removed (notice 2026-11-20)"


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.SCREENING_MAX_DELISTED_SHARE = Decimal("0.10")
    settings.SCREENING_MAX_DELISTED_FLOOR = 5


def ivan():
    return ListRowFactory(name="Ivan Petrov", source_id="EU-IVAN")


def a_list(size, *named, list_name=SANCTIONS_LIST):
    """The rows of a list of ``size`` entries: ``named`` first, then fillers nobody is called."""
    fillers = [ListRowFactory(list_name=list_name, source_id=f"{list_name[:3]}-{n:04d}")
               for n in range(size - len(named))]
    return [*named, *fillers]


def _state():
    """Everything an import may write: entries and whether they are listed, hits, the index, imports, the
    history of each, events and KYC checks."""
    return {
        "listed": sorted(ScreeningEntry.objects.filter(delisted_at__isnull=True).values_list("source_id", flat=True)),
        "entries": sorted(ScreeningEntry.objects.values_list("source_id", "name", "imported_by_id")),
        "hits": sorted(ScreeningHit.objects.values_list("pk", "status", "delisting_review")),
        "tokens": ScreeningToken.objects.count(),
        "imports": sorted(ScreeningListImport.objects.values_list(
            "pk", "entries_delisted", "hits_closed", "mass_delisting_allowed")),
        "entry_history": ScreeningEntry.history.count(),
        "hit_history": ScreeningHit.history.count(),
        "import_history": ScreeningListImport.history.count(),
        "events": OutboxEvent.objects.count(),
        "kyc_checks": KycCheck.objects.count(),
    }


# --- below the limit: as before -----------------------------------------------------------------------------

def test_an_import_delisting_up_to_the_share_of_a_list_delists_as_before(branch_a):
    # given a list of 60 with an open hit on Ivan Petrov
    rows = a_list(60, ivan())
    import_list(*rows)
    customer = CustomerFactory(branch=branch_a, legal_name="Ivan Petrov")
    # when a file without 6 of them (exactly 10%) is imported
    record = import_list(*rows[6:])
    # then they are delisted and the hit closed, as any delisting
    assert record.entries_delisted == 6 and record.hits_closed == 1
    assert not ScreeningEntry.objects.get(source_id="EU-IVAN").is_listed
    assert customer.screening_hits.get().status == ScreeningHit.Status.DELISTED
    assert not record.mass_delisting_allowed


def test_a_few_entries_may_leave_a_small_list_whatever_the_share(bank):
    # given a list of 6
    rows = a_list(6)
    import_list(*rows)
    # when a file holding one of them is imported (5 delisted, 83% but no more than the floor)
    record = import_list(rows[5])
    # then they are delisted
    assert record.entries_delisted == 5
    assert ScreeningEntry.objects.filter(delisted_at__isnull=True).count() == 1


def test_the_first_import_of_a_new_list_is_never_refused(bank, settings):
    # given the strictest limit, and another list already loaded
    settings.SCREENING_MAX_DELISTED_SHARE, settings.SCREENING_MAX_DELISTED_FLOOR = Decimal("0"), 0
    import_list(*a_list(3, list_name=PEP_LIST))
    # when a list never loaded before comes in a file
    record = import_list(*a_list(40))
    # then it is loaded
    assert (record.entries_created, record.entries_delisted) == (40, 0)


# --- above the limit: refused, nothing written --------------------------------------------------------------

def test_an_import_delisting_more_than_the_share_of_a_list_is_refused(bank):
    # given a list of 60
    rows = a_list(60)
    import_list(*rows)
    # when a file without 7 of them (more than 10% and more than 5) is imported
    with pytest.raises(MassDelistingRefused) as refused:
        import_list(*rows[7:], file_name="eu-2026-11-23.csv")
    # then it is refused, saying which list, how many out of how many
    assert refused.value.code == "screening_mass_delisting"
    assert str(refused.value).startswith(
        f"eu-2026-11-23.csv would delist 7 of the 60 entries listed on {SANCTIONS_LIST} (12%)")
    assert refused.value.context["lists"] == [{"list_name": SANCTIONS_LIST, "would_delist": 7, "listed": 60}]


def test_a_refused_mass_delisting_leaves_entries_listed_and_hits_open(branch_a):
    # given a list of 60 with an open hit on Ivan Petrov
    rows = a_list(60, ivan())
    import_list(*rows)
    customer = CustomerFactory(branch=branch_a, legal_name="Ivan Petrov")
    before = _state()
    # when a file holding a tenth of the list is imported
    with pytest.raises(MassDelistingRefused):
        import_list(*rows[54:])
    # then every entry is still listed, the hit still open, and nothing was recorded
    assert _state() == before
    assert ScreeningEntry.objects.filter(delisted_at__isnull=True).count() == 60
    assert customer.screening_hits.get().status == ScreeningHit.Status.OPEN
    assert ScreeningListImport.objects.count() == 1


def test_a_refused_mass_delisting_writes_none_of_the_files_other_changes(bank):
    # given a list of 60
    rows = a_list(60)
    import_list(*rows)
    before = _state()
    # when a file of changes (one renamed, one new, the rest left out) is imported
    renamed = {**rows[0], "name": "Renamed Person"}
    with pytest.raises(MassDelistingRefused):
        import_list(renamed, ListRowFactory(source_id="EU-NEW"))
    # then neither the new entry nor the new name was written
    assert _state() == before
    assert not ScreeningEntry.objects.filter(source_id="EU-NEW").exists()


def test_a_small_list_losing_more_than_the_floor_is_refused(bank):
    # given a list of 7
    rows = a_list(7)
    import_list(*rows)
    before = _state()
    # when a file holding one of them is imported (6 delisted: more than 5, and more than 10%)
    with pytest.raises(MassDelistingRefused, match=f"would delist 6 of the 7 entries listed on {SANCTIONS_LIST}"):
        import_list(rows[0])
    # then nothing changed
    assert _state() == before


def test_each_list_is_measured_against_its_own_listed_entries(bank):
    # given a sanctions list of 100 and a PEP list of 10
    sanctions, pep = a_list(100), a_list(10, list_name=PEP_LIST)
    import_list(*sanctions, *pep)
    before = _state()
    # when a file of both loses 6 of the PEP list (6 of 110 in all, but 60% of that list)
    with pytest.raises(MassDelistingRefused) as refused:
        import_list(*sanctions, *pep[6:])
    # then it is refused for the PEP list alone
    assert refused.value.context["lists"] == [{"list_name": PEP_LIST, "would_delist": 6, "listed": 10}]
    assert _state() == before


def test_entries_already_delisted_do_not_count_in_the_size_of_a_list(bank):
    # given a list of 60 of which 50 were delisted (allowed), 10 still listed
    rows = a_list(60)
    import_list(*rows)
    import_list(*rows[50:], allow_mass_delisting=True, mass_delisting_reason=REASON)
    # when a file holding 4 of the 10 is imported (6 of 10 listed)
    with pytest.raises(MassDelistingRefused, match="would delist 6 of the 10 entries listed"):
        import_list(*rows[56:])
    # then they are still listed
    assert ScreeningEntry.objects.filter(delisted_at__isnull=True).count() == 10


# --- allowed explicitly -------------------------------------------------------------------------------------

def test_an_allowed_mass_delisting_delists_and_closes_open_hits(branch_a, ops_admin):
    # given a list of 60 with an open hit on Ivan Petrov
    rows = a_list(60, ivan())
    import_list(*rows)
    customer = CustomerFactory(branch=branch_a, legal_name="Ivan Petrov")
    # when a file holding 20 of them is imported, the mass delisting allowed
    record = import_list(*rows[40:], actor=ops_admin, allow_mass_delisting=True, mass_delisting_reason=REASON)
    # then the 40 are delisted and the hit closed
    assert (record.entries_delisted, record.hits_closed) == (40, 1)
    assert ScreeningEntry.objects.filter(delisted_at__isnull=True).count() == 20
    assert customer.screening_hits.get().status == ScreeningHit.Status.DELISTED


def test_an_allowed_mass_delisting_records_who_allowed_it_and_why(bank, ops_admin):
    rows = a_list(60)
    import_list(*rows)
    record = import_list(*rows[40:], actor=ops_admin, allow_mass_delisting=True,
                         mass_delisting_reason=f"  {REASON} ")
    record.refresh_from_db()
    assert record.mass_delisting_allowed
    assert (record.mass_delisting_allowed_by, record.mass_delisting_reason) == (ops_admin, REASON)


def test_an_allowed_mass_delisting_is_in_the_imports_history(bank, ops_admin):
    rows = a_list(60)
    import_list(*rows)
    record = import_list(*rows[40:], actor=ops_admin, allow_mass_delisting=True, mass_delisting_reason=REASON)
    last = record.history.order_by("-history_id").first()
    assert (last.mass_delisting_allowed, last.mass_delisting_allowed_by, last.mass_delisting_reason) == (
        True, ops_admin, REASON)
    assert last.history_user == ops_admin
    assert last.history_change_reason == f"mass delisting allowed: {REASON}"[:100]


def test_allowing_a_mass_delisting_needs_a_reason(bank, ops_admin):
    # given a list of 60
    rows = a_list(60)
    import_list(*rows)
    before = _state()
    # when a mass delisting is allowed without saying why
    with pytest.raises(DomainError) as refused:
        import_list(*rows[40:], actor=ops_admin, allow_mass_delisting=True, mass_delisting_reason="  ")
    # then the import is refused and nothing changed
    assert refused.value.code == "reason_required"
    assert _state() == before


def test_an_allowance_the_import_did_not_need_is_not_recorded(bank, ops_admin):
    # given a list of 60
    rows = a_list(60)
    import_list(*rows)
    # when a file delisting 2 of them is imported with a mass delisting allowed
    record = import_list(*rows[2:], actor=ops_admin, allow_mass_delisting=True, mass_delisting_reason=REASON)
    # then the import is an ordinary one: nothing was allowed that the limit would have refused
    assert record.entries_delisted == 2
    assert (record.mass_delisting_allowed, record.mass_delisting_allowed_by, record.mass_delisting_reason) == (
        False, None, "")


def test_the_database_refuses_an_allowed_mass_delisting_without_a_reason(bank):
    record = import_list(*a_list(3))
    with refused_by("screening_import_mass_delisting_explained"):
        ScreeningListImport.objects.filter(pk=record.pk).update(mass_delisting_allowed=True)


def test_the_database_refuses_a_reason_or_an_allower_on_an_import_that_allowed_nothing(bank, ops_admin):
    record = import_list(*a_list(3))
    with refused_by("screening_import_mass_delisting_explained"):
        ScreeningListImport.objects.filter(pk=record.pk).update(mass_delisting_allowed_by=ops_admin)


# --- the command --------------------------------------------------------------------------------------------

def _file(tmp_path, rows):
    path = tmp_path / "eu.csv"
    path.write_text(list_file(*rows).getvalue())
    return path


def test_the_import_command_refuses_a_mass_delisting_and_says_how_to_allow_it(bank, tmp_path):
    # given a list of 60
    rows = a_list(60)
    import_list(*rows)
    before = _state()
    # when the command imports a file holding 20 of them
    with pytest.raises(CommandError) as refused:
        call_command("import_screening_list", _file(tmp_path, rows[40:]), stdout=io.StringIO())
    # then it is refused, naming the list and the flag, and nothing changed
    assert f"eu.csv would delist 40 of the 60 entries listed on {SANCTIONS_LIST} (67%)" in str(refused.value)
    assert "--allow-mass-delisting" in str(refused.value)
    assert _state() == before


def test_the_import_command_allows_a_mass_delisting_with_its_flag_and_a_reason(bank, tmp_path):
    # given a list of 60
    rows = a_list(60)
    import_list(*rows)
    # when the command imports a file holding 20 of them with --allow-mass-delisting
    out = io.StringIO()
    call_command("import_screening_list", _file(tmp_path, rows[40:]), "--allow-mass-delisting", REASON, stdout=out)
    # then the 40 are delisted, the import records the permission (given by the system: no user) and says so
    record = ScreeningListImport.objects.latest("pk")
    assert record.entries_delisted == 40
    assert (record.mass_delisting_allowed, record.mass_delisting_allowed_by, record.mass_delisting_reason) == (
        True, None, REASON)
    assert f"Mass delisting allowed: {REASON}" in out.getvalue()


def test_the_import_command_needs_a_reason_to_allow_a_mass_delisting(bank, tmp_path):
    rows = a_list(60)
    import_list(*rows)
    before = _state()
    with pytest.raises(CommandError, match="Say why"):
        call_command("import_screening_list", _file(tmp_path, rows[40:]), "--allow-mass-delisting", " ",
                     stdout=io.StringIO())
    assert _state() == before
