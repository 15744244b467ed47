"""Demo customers across LIS01 and POR01 in every type and KYC state, the sample screening list, one customer
who matches it, and a channel login linked to a customer. Idempotent: customers are found by email. Seeded by
KYC, which sits above customers, because the states it shows are KYC's.

Everything goes through the services (onboarding, document upload, KYC check, manual review, periodic
review), so the demo shows real checks, hits and history. Two states are transient in real life and are set
after the seeding transaction commits, once the KYC checks queued by onboarding have run (``seed_demo`` runs
them in its own process, in order):
"pending" (a check not yet run) and "expired" (a review date reached).
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from apps.customers.models import Customer
from apps.customers.services import onboard_customer, upgrade_to_premium
from apps.kyc.models import ScreeningEntry
from apps.kyc.rules import DocumentType, required_document_types
from apps.kyc.services import (
    decide_kyc_review,
    expire_due_kyc,
    import_screening_list,
    run_kyc_check,
    upload_kyc_document,
)
from apps.kyc.services.screening import rescreen_batch, rescreen_batches
from apps.organization.demo import DEMO_PASSWORD
from apps.organization.models import Branch, User
from apps.organization.selectors import current_business_date

SAMPLE_LIST = Path(settings.BASE_DIR) / "fixtures" / "screening_list_sample.csv"
DEMO_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
CHANNEL_LOGIN = "ana.sousa"

# (branch, email, type, legal name, country, date of birth, documents left out, outcome)
DEMO_CUSTOMERS = [
    ("LIS01", "ana.sousa@demo.ogpgy.example", "individual", "Ana Sousa", "PT", "1988-03-14", [], "verified"),
    ("LIS01", "tasca.rio@demo.ogpgy.example", "business", "Tasca do Rio Lda", "PT", None, [], "verified"),
    ("LIS01", "joao.premium@demo.ogpgy.example", "individual", "João Almeida", "PT", "1975-09-02", [], "premium"),
    ("LIS01", "carla.mendes@demo.ogpgy.example", "individual", "Carla Mendes", "PT", "1992-11-21",
     [DocumentType.PROOF_OF_ADDRESS], "check"),
    ("LIS01", "rui.pinto@demo.ogpgy.example", "individual", "Rui Pinto", "IR", "1983-06-30", [], "rejected"),
    ("POR01", "ines.costa@demo.ogpgy.example", "individual", "Inês Costa", "PT", "1990-01-05", [], "verified"),
    ("POR01", "vinhos.douro@demo.ogpgy.example", "business", "Vinhos do Douro SA", "PT", None,
     [DocumentType.ARTICLES_OF_INCORPORATION], "check"),
    ("POR01", "pedro.nunes@demo.ogpgy.example", "individual", "Pedro Nunes", "PT", "1969-07-12", [], "expired"),
    ("POR01", "marta.silva@demo.ogpgy.example", "individual", "Marta Silva", "BR", "1999-12-24",
     list(required_document_types(Customer(customer_type="individual"))), "pending"),
    # matches "Dmitri Volkov" (alias "Dmitry Volkov") of the sample list, same birth date and country
    ("POR01", "d.volkov@demo.ogpgy.example", "individual", "Dmitry Volkov", "RU", "1972-04-18", [], "check"),
]


def _staff(username: str) -> User:
    return User.objects.get(username=username)


def _upload_documents(customer: Customer, actor: User, left_out: list[str]) -> None:
    on = current_business_date()
    for document_type in required_document_types(customer):
        if document_type in left_out or customer.kyc_documents.filter(document_type=document_type).exists():
            continue
        upload_kyc_document(
            customer=customer, actor=actor, document_type=document_type, issuing_country=customer.country,
            number=f"D{customer.pk:05d}{document_type[:3].upper()}", issue_date=on - datetime.timedelta(days=400),
            expiry_date=on + datetime.timedelta(days=6 * 365),
            file=SimpleUploadedFile(f"{document_type}.pdf", DEMO_PDF, content_type="application/pdf"))


def _import_sample_list(out) -> None:
    if ScreeningEntry.objects.exists():
        return
    with SAMPLE_LIST.open(encoding="utf-8") as stream:
        record = import_screening_list(stream=stream, file_name=SAMPLE_LIST.name)
    for batch in rescreen_batches():
        rescreen_batch(list_import=record, customer_ids=batch)
    out.write(f"Screening list {SAMPLE_LIST.name}: {record.entries_created} entries.")


def seed_customers(out) -> None:
    _import_sample_list(out)
    compliance = _staff("compliance.hq")
    finishing = []
    for number, (code, email, customer_type, name, country, birth, left_out, outcome) in enumerate(DEMO_CUSTOMERS):
        if Customer.objects.filter(email__iexact=email).exists():
            continue
        branch = Branch.objects.get(code=code)
        teller = _staff(f"teller.{code.lower()}")
        customer = onboard_customer(
            actor=teller, customer_type=customer_type, legal_name=name, email=email,
            phone=f"+35191000{number:04d}", country=country, branch=branch,
            date_of_birth=datetime.date.fromisoformat(birth) if birth else None,
            national_id_last4="4821" if customer_type == "individual" else "",
            business_registration_number=f"PT50{number:07d}" if customer_type == "business" else "",
            tax_id=f"PT2{number:08d}", address=f"{name}, {branch.name}",
        )
        if outcome == "premium":
            customer = upgrade_to_premium(customer=customer, relationship_manager=_staff(f"manager.{code.lower()}"),
                               actor=_staff(f"manager.{code.lower()}"))
        _upload_documents(customer, teller, left_out)
        run_kyc_check(customer=customer)
        if outcome == "rejected":  # high-risk country: manual review, rejected by compliance
            decide_kyc_review(customer=customer, reviewer=compliance, approve=False,
                              reason="Source of funds not demonstrated (demo)")
        if outcome in ("pending", "expired"):
            finishing.append((customer.pk, outcome))
    if not User.objects.filter(username=CHANNEL_LOGIN).exists():
        login = User.objects.create_user(CHANNEL_LOGIN, "ana.sousa@demo.ogpgy.example", DEMO_PASSWORD)
        Customer.objects.filter(email="ana.sousa@demo.ogpgy.example", user__isnull=True).update(user=login)
    # After commit, when the KYC checks queued by onboarding have run: the two transient states.
    transaction.on_commit(lambda: _finish_transient_states(finishing))

    out.write("Demo customers (both branches, every type and KYC state):")
    for customer in Customer.objects.filter(email__endswith="@demo.ogpgy.example").select_related("branch"):
        out.write(f"  #{customer.pk:<4} {customer.legal_name:<22} {customer.customer_type:<10} "
                  f"{customer.branch.code:<6} KYC {customer.kyc_status}")
    out.write(f"Customer channel login: {CHANNEL_LOGIN} / {DEMO_PASSWORD} (GET /api/v1/me/ as Ana Sousa)")


def _finish_transient_states(finishing: list[tuple[int, str]]) -> None:
    with transaction.atomic():
        for customer_id, outcome in finishing:
            if outcome == "pending":  # an application whose check has not run yet
                Customer.objects.filter(pk=customer_id).update(kyc_status=Customer.KycStatus.PENDING)
            else:  # verified long ago: the review date has come, the periodic review expires it
                customer = Customer.objects.get(pk=customer_id)
                if customer.kyc_status == Customer.KycStatus.VERIFIED:
                    Customer.objects.filter(pk=customer_id).update(kyc_review_due=current_business_date())
                    expire_due_kyc(on=current_business_date())
