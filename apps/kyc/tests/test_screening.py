"""Sanctions and PEP screening: normalization, fuzzy matching with tie-breakers, the list import, hits."""

import datetime
import io
import itertools

import pytest

from apps.customers.tests.factories import CustomerFactory
from apps.kyc.errors import HitAlreadyDecided, InvalidScreeningList
from apps.kyc.models import ScreeningEntry, ScreeningHit, ScreeningToken
from apps.kyc.name_matching import ListedParty, ScreeningIndex, blocking_keys, normalize_name
from apps.kyc.services import decide_screening_hit, import_screening_list, screen_customer

_ids = itertools.count(1)
HEADER = "name,aliases,date_of_birth,country,list_name,source_id\n"


def listed(name, *, aliases=(), dob="", country="", list_name="EU sanctions", source_id=None) -> ScreeningEntry:
    """Import a file of ``list_name`` holding this one entry; a file replaces its list, so the entries listed
    before in that list are delisted (apps.kyc.tests.factories.import_list builds files of several)."""
    source_id = source_id or f"T-{next(_ids)}"
    row = f'"{name}","{";".join(aliases)}",{dob},{country},{list_name},{source_id}\n'
    import_screening_list(stream=io.StringIO(HEADER + row), file_name="test.csv")
    return ScreeningEntry.objects.get(list_name=list_name, source_id=source_id)


def _screen(name, party_names, *, dob=None, country="", party_dob=None, party_country=""):
    index = ScreeningIndex([ListedParty(entry_id=1, normalized_names=tuple(normalize_name(n) for n in party_names),
                                        date_of_birth=party_dob, country=party_country)])
    return index.screen(name, date_of_birth=dob, country=country, threshold=90, name_floor=85)


# --- matching (no database) -------------------------------------------------------------------------------

def test_normalization_removes_case_accents_punctuation_and_word_order():
    assert normalize_name("José  MARÍA Aznar-López") == normalize_name("lopez, aznar jose maria")
    assert normalize_name("Zoë O'Brien") == "obrien zoe"
    assert normalize_name("Łukasz Øster") == "lukasz oster"


def test_accents_do_not_hide_a_listed_name():
    assert _screen("Jose Maria Aznar", ["José María Aznar"])[0].name_score == 100


def test_word_order_does_not_hide_a_listed_name():
    assert _screen("Petrov Ivan", ["Ivan Petrov"])[0].name_score == 100


def test_an_alias_matches_like_the_name():
    match = _screen("Abu Mohammed", ["Karim Haddad", "Abu Mohammed"])[0]
    assert match.matched_name == "abu mohammed"


def test_a_small_typo_still_matches():
    assert _screen("Hans Grubner", ["Hans Gruber"])


def test_a_near_miss_does_not_match():
    assert _screen("Mario Santoro", ["Maria Santos"]) == []


def test_a_different_birth_year_breaks_a_tie_against_the_match():
    dob = datetime.date(1970, 3, 1)
    assert _screen("Ivan Petrovv", ["Ivan Petrov"], dob=dob, party_dob=dob)
    assert _screen("Ivan Petrovv", ["Ivan Petrov"], dob=datetime.date(1991, 3, 1), party_dob=dob) == []


def test_a_different_country_breaks_a_tie_against_the_match():
    assert _screen("Carlos Mendes", ["Carla Mendes"], country="PT", party_country="PT")
    assert _screen("Carlos Mendes", ["Carla Mendes"], country="BR", party_country="PT") == []


def test_only_candidates_sharing_a_blocking_key_are_compared():
    parties = [ListedParty(entry_id=i, normalized_names=(normalize_name(name),))
               for i, name in enumerate(["Ivan Petrov", "Maria Santos", "Hans Gruber", "Li Wei"])]
    index = ScreeningIndex(parties)
    index.screen("Ivan Petrov", threshold=90, name_floor=85)
    assert index.pairs_compared == 1
    assert blocking_keys("li na") == {"li", "~li", "na", "~na"}  # names of short tokens still get keys


# --- the list and hits (database) -------------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_import_indexes_names_and_aliases_and_updates_by_source_id(bank):
    listed("Ivan Petrov", aliases=["Ivan Petroff"], dob="1970-03-01", country="RU", source_id="EU-1")
    entry = listed("Ivan Petrov", aliases=["I. Petrov"], dob="1970-03-01", country="RU", source_id="EU-1")
    assert ScreeningEntry.objects.count() == 1
    assert entry.aliases == ["I. Petrov"]
    assert entry.category == "sanctions"
    assert set(ScreeningToken.objects.filter(entry=entry).values_list("key", flat=True)) >= {"ivan", "petr"}


@pytestmark_db
def test_a_bad_line_refuses_the_whole_file(bank):
    text = HEADER + "Ivan Petrov,,1970-03-01,RU,EU,1\nNo Date,,03/01/1970,RU,EU,2\n"
    with pytest.raises(InvalidScreeningList, match="Line 3"):
        import_screening_list(stream=io.StringIO(text), file_name="bad.csv")
    assert not ScreeningEntry.objects.exists()


@pytestmark_db
def test_a_pep_list_is_recognized_by_its_name(bank):
    assert listed("Ana Costa", list_name="PEP Portugal").category == "pep"


@pytestmark_db
def test_onboarding_screens_the_new_customer(branch_a):
    entry = listed("Ivan Petrov", dob="1970-03-01", country="RU")
    customer = CustomerFactory(branch=branch_a, legal_name="PETROV, Iván", country="RU",
                               date_of_birth=datetime.date(1970, 3, 1))
    hit = ScreeningHit.objects.get(customer=customer)
    assert hit.entry == entry
    assert hit.status == "open"
    assert hit.details["tie_breakers"] == {"date_of_birth_same": 5, "country_same": 3}


@pytestmark_db
def test_screening_again_does_not_duplicate_or_reopen_a_dismissed_hit(branch_a, compliance_officer):
    listed("Ivan Petrov")
    customer = CustomerFactory(branch=branch_a, legal_name="Ivan Petrov")
    hit = ScreeningHit.objects.get(customer=customer)
    decide_screening_hit(hit=hit, officer=compliance_officer, confirm=False, reason="Different person, checked id")
    assert screen_customer(customer=customer) == []
    assert ScreeningHit.objects.get(customer=customer).status == "dismissed"


@pytestmark_db
def test_a_hit_is_decided_once_with_a_reason_by_compliance(branch_a, compliance_officer, teller_a):
    from apps.kyc.errors import NotAllowedToReview

    listed("Ivan Petrov")
    hit = ScreeningHit.objects.get(customer=CustomerFactory(branch=branch_a, legal_name="Ivan Petrov"))
    with pytest.raises(NotAllowedToReview):
        decide_screening_hit(hit=hit, officer=teller_a, confirm=True, reason="x")
    decide_screening_hit(hit=hit, officer=compliance_officer, confirm=True, reason="Same passport number")
    with pytest.raises(HitAlreadyDecided):
        decide_screening_hit(hit=hit, officer=compliance_officer, confirm=False, reason="changed my mind")
    assert ScreeningHit.objects.get(pk=hit.pk).status == "confirmed"


@pytestmark_db
def test_the_import_command_rescreens_every_customer_in_batches_with_progress(branch_a, branch_b):
    from pathlib import Path

    from django.conf import settings
    from django.core.management import call_command

    CustomerFactory(branch=branch_a, legal_name="Monica Perez Villanueva", country="VE",
                    date_of_birth=datetime.date(1978, 2, 17))
    CustomerFactory(branch=branch_b, legal_name="Dmitry Volkov", country="RU", date_of_birth=datetime.date(1972, 4, 18))
    for i in range(3):
        CustomerFactory(branch=branch_b, legal_name=f"Unrelated Person {i}")
    out = io.StringIO()
    call_command("import_screening_list", Path(settings.BASE_DIR) / "fixtures" / "screening_list_sample.csv",
                 "--batch-size", "2", stdout=out)
    text = out.getvalue()
    assert "15 entries created" in text
    assert "Re-screening 5 customers in batches" in text
    assert "screened 2/5" in text and "screened 5/5 customers (100%), 2 new hits" in text
    assert set(ScreeningHit.objects.values_list("entry__source_id", flat=True)) == {"OFAC-41007", "EU-2024-0004"}


@pytestmark_db
def test_the_import_command_rescreens_in_its_own_process_while_the_broker_is_down(branch_a, branch_b, broker_down):
    from pathlib import Path

    from django.conf import settings
    from django.core.management import call_command

    from apps.kyc.models import ScreeningListImport

    # given two customers on the sample list, three who are not, and a broker that does not answer
    CustomerFactory(branch=branch_a, legal_name="Monica Perez Villanueva", country="VE",
                    date_of_birth=datetime.date(1978, 2, 17))
    CustomerFactory(branch=branch_b, legal_name="Dmitry Volkov", country="RU", date_of_birth=datetime.date(1972, 4, 18))
    for i in range(3):
        CustomerFactory(branch=branch_b, legal_name=f"Unrelated Person {i}")
    out = io.StringIO()
    # when the list is imported
    with broker_down():
        call_command("import_screening_list", Path(settings.BASE_DIR) / "fixtures" / "screening_list_sample.csv",
                     "--batch-size", "2", stdout=out)
    # then every batch was re-screened by the command itself, and the import says so
    text = out.getvalue()
    assert text.count("broker unreachable: re-screened 2 customers in this process") == 2
    assert text.count("broker unreachable: re-screened 1 customer in this process") == 1
    assert "Done: 2 new screening hits to review." in text
    record = ScreeningListImport.objects.get()
    assert (record.customers_to_screen, record.customers_screened, record.hits_created) == (5, 5, 2)
    assert set(ScreeningHit.objects.values_list("entry__source_id", flat=True)) == {"OFAC-41007", "EU-2024-0004"}


@pytestmark_db
def test_the_import_command_refuses_a_file_with_missing_columns(tmp_path, bank):
    from django.core.management import CommandError, call_command

    bad = tmp_path / "bad.csv"
    bad.write_text("name,country\nIvan,RU\n")
    with pytest.raises(CommandError, match="lacks the columns: aliases, date_of_birth"):
        call_command("import_screening_list", bad, stdout=io.StringIO())
