"""Roles are Django groups. This module is the one place that says what each role may do.

A role's permissions are model permissions ("app_label.codename"). Branch-scoped roles (tellers, branch
managers, loan officers) see only their own branch's rows: that is enforced by object permissions
(apps.organization.branch_scope); bank-wide roles see every branch.

Later apps add their permissions here; ``sync_role_permissions`` runs after every migrate and can be run by
hand with ``manage.py sync_roles``.
"""

from __future__ import annotations

from typing import Any

TELLER = "Teller"
BRANCH_MANAGER = "Branch manager"
LOAN_OFFICER = "Loan officer"
COMPLIANCE_OFFICER = "Compliance officer"
AUDITOR = "Auditor"
OPERATIONS_ADMIN = "Operations admin"

ALL_ROLES = (TELLER, BRANCH_MANAGER, LOAN_OFFICER, COMPLIANCE_OFFICER, AUDITOR, OPERATIONS_ADMIN)
# Roles that work for the whole bank rather than one branch: they see every branch's rows.
BANK_WIDE_ROLES = frozenset({COMPLIANCE_OFFICER, AUDITOR, OPERATIONS_ADMIN})

_LEDGER_READ = ["ledger.view_ledgeraccount", "ledger.view_journalentry", "ledger.view_posting"]
_ORG_READ = ["organization.view_bank", "organization.view_branch", "organization.view_approvalrequest"]
# Customers and KYC (apps.customers, apps.kyc): branch staff onboard and serve their branch's customers.
_KYC_READ = ["kyc.view_kycdocument", "kyc.view_kyccheck", "kyc.view_kycreview", "kyc.view_screeninghit"]
_CUSTOMER_BRANCH = ["customers.view_customer", "customers.add_customer", "customers.change_customer",
                    "kyc.add_kycdocument", *_KYC_READ]

# Deposit accounts (apps.accounts) and end of day (apps.eod).
_ACCOUNTS_READ = ["accounts.view_account", "accounts.view_depositproduct", "accounts.view_interesttier",
                  "accounts.view_hold", "accounts.view_tellertransaction", "accounts.view_accountholder",
                  "accounts.view_interestaccrual", "eod.view_eodrun", "eod.view_eodsteprun"]
_ACCOUNTS_BRANCH = [*_ACCOUNTS_READ, "accounts.add_account", "accounts.change_account", "accounts.add_hold",
                    "accounts.change_hold", "accounts.add_tellertransaction", "accounts.operate_cash"]

# Payments (apps.payments): branch staff see their branch's payments; operations keeps fees and limits.
_PAYMENTS_READ = ["payments.view_transfer", "payments.view_outgoingpayment", "payments.view_incomingpayment",
                  "payments.view_standingorder", "payments.view_standingorderexecution",
                  "payments.view_feeschedule", "payments.view_transferlimit"]
# Fraud rules, their decisions and the review queue (apps.payments): compliance reviews held payments,
# operations keeps the rules; branch staff may start payments above the staff threshold (they wait for a checker).
_FRAUD_READ = ["payments.view_fraudrule", "payments.view_frauddecision", "payments.view_paymentreview",
               "payments.view_beneficiary"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    TELLER: [*_LEDGER_READ, "organization.view_branch", "organization.view_approvalrequest", *_CUSTOMER_BRANCH,
             *_ACCOUNTS_BRANCH, *_PAYMENTS_READ, "payments.view_beneficiary", "payments.request_large_payment"],
    BRANCH_MANAGER: [
        *_LEDGER_READ,
        *_ORG_READ,
        "organization.view_user",
        "organization.decide_approvalrequest",
        "ledger.request_reversal",
        *_CUSTOMER_BRANCH,
        "customers.upgrade_customer",
        *_ACCOUNTS_BRANCH,
        "accounts.approve_cash_operation",
        "accounts.request_account_closure",
        *_PAYMENTS_READ,
        "payments.add_standingorder",
        "payments.change_standingorder",
        "payments.view_beneficiary",
        "payments.request_large_payment",
    ],
    LOAN_OFFICER: [*_LEDGER_READ, "organization.view_branch", "organization.view_approvalrequest",
                   "customers.view_customer", "kyc.view_kycdocument", "kyc.view_kyccheck", *_ACCOUNTS_READ],
    COMPLIANCE_OFFICER: [
        *_LEDGER_READ,
        *_ORG_READ,
        "organization.view_user",
        "organization.decide_approvalrequest",
        "customers.view_customer",
        "customers.change_customer",
        *_KYC_READ,
        "kyc.change_kycdocument",
        "kyc.review_kyc",
        "kyc.decide_screeninghit",
        "kyc.view_screeningentry",
        "kyc.view_screeninglistimport",
        "outbox.view_outboxevent",
        *_ACCOUNTS_READ,
        "accounts.change_account",
        "accounts.freeze_account",
        *_PAYMENTS_READ,
        "payments.view_gatewayevent",
        *_FRAUD_READ,
        "payments.change_paymentreview",
        "payments.review_payment",
    ],
    # Auditors read everything and change nothing: every view permission is added in sync_role_permissions.
    AUDITOR: [],
    OPERATIONS_ADMIN: [
        *_LEDGER_READ,
        *_ORG_READ,
        "ledger.add_ledgeraccount",
        "ledger.change_ledgeraccount",
        "ledger.request_reversal",
        "organization.add_branch",
        "organization.change_branch",
        "organization.change_bank",
        "organization.view_user",
        "organization.add_user",
        "organization.change_user",
        "organization.decide_approvalrequest",
        "django_celery_beat.view_periodictask",
        "django_celery_beat.change_periodictask",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        # API tokens: who holds one until when (never the secret); revoke a lost device's.
        "knox.view_authtoken",
        "knox.delete_authtoken",
        "customers.view_customer",
        "kyc.view_screeninglistimport",
        "outbox.view_outboxevent",
        "outbox.change_outboxevent",
        *_ACCOUNTS_READ,
        "accounts.add_depositproduct",
        "accounts.change_depositproduct",
        "accounts.add_interesttier",
        "accounts.change_interesttier",
        "accounts.delete_interesttier",
        "accounts.request_account_closure",
        "eod.view_ledgerseal",
        "eod.run_end_of_day",
        *_PAYMENTS_READ,
        "payments.view_gatewayevent",
        "payments.add_feeschedule",
        "payments.change_feeschedule",
        "payments.add_transferlimit",
        "payments.change_transferlimit",
        *_FRAUD_READ,
        "payments.add_fraudrule",
        "payments.change_fraudrule",
    ],
}


def permissions_for(role: str) -> Any:
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    if role == AUDITOR:
        return Permission.objects.filter(codename__startswith="view_")
    query = Q(pk__in=[])
    for name in ROLE_PERMISSIONS[role]:
        app_label, codename = name.split(".", 1)
        query |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(query)


def sync_role_permissions(sender: Any = None, **kwargs: Any) -> None:
    """Make every role group hold exactly the permissions this module gives it (idempotent)."""
    from django.contrib.auth.models import Group

    using = kwargs.get("using", "default")
    for role in ALL_ROLES:
        group, _ = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set(permissions_for(role).using(using))
