"""KYC documents: only PDF, JPEG and PNG by content, within the size limit; a refusal writes nothing."""

import datetime

import pytest

from apps.customers.tests.factories import CustomerFactory
from apps.kyc.errors import DocumentRefused, DocumentTooLarge, UnsupportedDocumentType
from apps.kyc.models import KycCheck, KycDocument
from apps.kyc.services import upload_kyc_document
from apps.kyc.tests.conftest import JPEG_BYTES, PDF_BYTES, PNG_BYTES, upload

pytestmark = pytest.mark.django_db


def _upload(customer, actor, file, **kwargs):
    arguments = {"document_type": "government_id", "issuing_country": "PT", "number": "CC123456789",
                 "issue_date": datetime.date(2024, 1, 1), "expiry_date": datetime.date(2034, 1, 1)}
    arguments.update(kwargs)
    return upload_kyc_document(customer=customer, actor=actor, file=file, **arguments)


def _nothing_written(media_root):
    assert not KycDocument.objects.exists()
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


@pytest.mark.parametrize(("content", "content_type"), [(PDF_BYTES, "application/pdf"), (PNG_BYTES, "image/png"),
                                                       (JPEG_BYTES, "image/jpeg")])
def test_pdf_jpeg_and_png_are_accepted_by_their_content(branch_a, teller_a, content, content_type,
                                                        _media_in_tmp):
    customer = CustomerFactory(branch=branch_a)
    document = _upload(customer, teller_a, upload(content, name="scan.bin", content_type="text/plain"))
    assert document.content_type == content_type
    assert document.size == len(content)
    assert document.file.name.startswith(f"kyc/{customer.pk}/")
    assert "scan" not in document.file.name  # the client's file name never reaches the disk
    assert (_media_in_tmp / document.file.name).read_bytes() == content


def test_a_file_named_pdf_that_is_not_a_pdf_is_refused_and_nothing_is_written(branch_a, teller_a, _media_in_tmp):
    customer = CustomerFactory(branch=branch_a)
    with pytest.raises(UnsupportedDocumentType, match="PDF, JPEG and PNG"):
        _upload(customer, teller_a, upload(b"MZ\x90\x00 this is an executable", name="passport.pdf"))
    _nothing_written(_media_in_tmp)


def test_a_file_over_the_limit_is_refused_and_nothing_is_written(branch_a, teller_a, settings, _media_in_tmp):
    settings.KYC_MAX_UPLOAD_BYTES = 1000
    customer = CustomerFactory(branch=branch_a)
    with pytest.raises(DocumentTooLarge, match="limit is 1000 bytes"):
        _upload(customer, teller_a, upload(PDF_BYTES + b"x" * 1000))
    _nothing_written(_media_in_tmp)


def test_an_empty_file_is_refused(branch_a, teller_a, _media_in_tmp):
    with pytest.raises(DocumentRefused, match="empty"):
        _upload(CustomerFactory(branch=branch_a), teller_a, upload(b""))
    _nothing_written(_media_in_tmp)


def test_an_already_expired_document_is_refused(branch_a, teller_a, _media_in_tmp):
    with pytest.raises(DocumentRefused, match="expired on 2026-01-01"):
        _upload(CustomerFactory(branch=branch_a), teller_a, upload(), expiry_date=datetime.date(2026, 1, 1))
    _nothing_written(_media_in_tmp)


def test_an_upload_runs_the_kyc_check_again_after_commit(branch_a, teller_a, django_capture_on_commit_callbacks):
    customer = CustomerFactory(branch=branch_a)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(customer, teller_a, upload())
        _upload(customer, teller_a, upload(), document_type="proof_of_address")
    customer.refresh_from_db()
    assert customer.kyc_status == "verified"
    assert KycCheck.objects.filter(customer=customer).count() == 2
