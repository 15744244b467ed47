"""Roles are Django groups. This module is the one place that says what each role may do.

Least privilege: each role holds what its work needs and nothing else (docs/roles.md says why, role by role).
Moving a customer's money is branch work: only tellers and branch managers hold the permissions that let
staff initiate a payment (``payments.add_transfer``, ``payments.add_outgoingpayment``) or debit an account
(``accounts.change_account``, which is also the branch scope of "accounts this person may debit"). Head-office
roles (compliance, audit, operations) see every branch and therefore never hold them.

A role's permissions are model permissions ("app_label.codename"). Branch-scoped roles (tellers, branch
managers, loan officers) see only their own branch's rows: that is enforced by object permissions
(apps.organization.branch_scope); bank-wide roles see every branch.

Later apps add their permissions here; ``sync_role_permissions`` runs after every migrate and can be run by
hand with ``manage.py sync_roles``: it *sets* each group's permissions, so a permission taken out of a role here
is taken from the deployed group at the next migrate (or sync_roles) as well.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db.models import Q

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
                    "customers.enrol_customer",  # channel logins: enrol, password reset, revoke
                    "kyc.add_kycdocument", *_KYC_READ]

# Deposit accounts (apps.accounts) and end of day (apps.eod).
_ACCOUNTS_READ = ["accounts.view_account", "accounts.view_depositproduct", "accounts.view_interesttier",
                  "accounts.view_hold", "accounts.view_tellertransaction", "accounts.view_accountholder",
                  "accounts.view_interestaccrual", "eod.view_eodrun", "eod.view_eodsteprun",
                  "eod.view_eodattempt"]
_ACCOUNTS_BRANCH = [*_ACCOUNTS_READ, "accounts.add_account", "accounts.change_account", "accounts.add_hold",
                    "accounts.change_hold", "accounts.add_tellertransaction", "accounts.operate_cash"]
# Initiating a payment from a customer's account on the customer's behalf (apps.payments.services.initiators).
_LOANS_BOOK_READ = ["loans.view_loan", "loans.view_loaninstalment", "loans.view_loantransaction"]
_LOANS_READ = ["loans.view_loanproduct", "organization.view_holiday", *_LOANS_BOOK_READ]
# The counter takes a loan's repayment: the loan, its schedule and transactions, not the products.
_LOAN_COUNTER = [*_LOANS_BOOK_READ, "loans.repay_loan_at_counter"]
_PAYMENTS_INITIATE = ["payments.add_transfer", "payments.add_outgoingpayment"]
# Loan applications (apps.loans): branch staff enter them; loan officers underwrite, approve within their limit
# and reject; branch managers too, with a higher limit, and sit on the credit committee (two approve above every
# limit). Limits per role and currency: LOAN_APPROVAL_LIMITS (config/settings.py).
_LOAN_APPLICATIONS_READ = ["loans.view_loanapplication", "loans.view_scoringdecision",
                           "loans.view_creditbureaureport", "loans.view_underwritingrecommendation",
                           "loans.view_applicationapproval"]
_LOAN_APPLICATIONS_ENTER = [*_LOAN_APPLICATIONS_READ, "loans.add_loanapplication"]
_LOAN_CREDIT = [*_LOAN_APPLICATIONS_ENTER, "loans.underwrite_loanapplication", "loans.approve_loanapplication",
                "loans.reject_loanapplication"]

# Payments (apps.payments): branch staff see their branch's payments; operations keeps fees and limits.
_PAYMENTS_READ = ["payments.view_transfer", "payments.view_outgoingpayment", "payments.view_incomingpayment",
                  "payments.view_standingorder", "payments.view_standingorderexecution",
                  "payments.view_feeschedule", "payments.view_transferlimit"]
# Fraud rules, their decisions and the review queue (apps.payments): compliance reviews held payments,
# operations keeps the rules; branch staff may start payments above the staff threshold (they wait for a checker).
_FRAUD_READ = ["payments.view_fraudrule", "payments.view_frauddecision", "payments.view_paymentreview",
               "payments.view_beneficiary"]

# Anti-money-laundering (apps.compliance): compliance officers read the alerts, cases, monitored movements and
# reports, work the cases (assign, investigate, escalate, suspect known), write notes, close cases (a risky false
# positive through a second compliance officer, whom compliance.decide_case_closure alone lets decide those
# requests: checker_permission_suffices, not organization.decide_approvalrequest), and suppress a known pattern.
# Auditors view. (The typology settings', expected activity's and reports' permissions are listed in the role.)
_COMPLIANCE_READ = ["compliance.view_alert", "compliance.view_case", "compliance.view_casenote",
                    "compliance.view_suppression", "compliance.view_monitoredtransaction"]
_COMPLIANCE_CASES = [*_COMPLIANCE_READ, "compliance.change_case", "compliance.close_case",
                     "compliance.decide_case_closure", "compliance.add_casenote", "compliance.add_suppression",
                     "compliance.change_suppression"]

# Celery beat's schedules (django-celery-beat): operations views, adds and changes them and runs a task now;
# nobody deletes one from the admin (disable it instead, which leaves its history).
_BEAT_SCHEDULES = [f"django_celery_beat.{action}_{model}" for model in (
    "periodictask", "crontabschedule", "intervalschedule", "clockedschedule", "solarschedule")
    for action in ("view", "add", "change")]
# Permissions no role gets from the auditor's "every view permission": who holds which API token (knox; the
# secret itself is never stored) is for operations, who revoke them, not for every reader.
AUDITOR_NEVER_VIEWS = ("knox",)

# What each role's admin home shows beside its work queues ("Waiting for you"), by the names of the home's panels
# (templates/admin/index.html; docs/admin.md, docs/roles.md). What a panel shows is still only what the role and
# branch may see: branch staff see their branch's figures, head office the bank's and each branch's.
BANK_STATE = "bank_state"          # business date, last end of day and its result, the seal chain
BRANCH_CASH = "branch_cash"        # cash in the vault, cash in and out at the counter today
BRANCH_FIGURES = "branch_figures"  # customer deposits by currency, today's movements
DEPOSITS_CHART = "deposits_chart"  # deposits over the last business dates
TRANSFERS_CHART = "transfers_chart"  # transfer volume per business date
KYC_MIX_CHART = "kyc_mix_chart"    # customers by KYC status
ALERTS_CHART = "alerts_chart"      # AML alerts per typology per week
HOME_PANELS: dict[str, frozenset[str]] = {
    TELLER: frozenset({BRANCH_CASH}),
    BRANCH_MANAGER: frozenset({BRANCH_CASH, BRANCH_FIGURES, DEPOSITS_CHART, TRANSFERS_CHART}),
    LOAN_OFFICER: frozenset({BRANCH_FIGURES, DEPOSITS_CHART}),
    COMPLIANCE_OFFICER: frozenset({KYC_MIX_CHART, TRANSFERS_CHART, ALERTS_CHART}),
    AUDITOR: frozenset({BANK_STATE, BRANCH_CASH, BRANCH_FIGURES, DEPOSITS_CHART, TRANSFERS_CHART, KYC_MIX_CHART,
                        ALERTS_CHART}),
    OPERATIONS_ADMIN: frozenset({BANK_STATE, BRANCH_CASH, BRANCH_FIGURES, DEPOSITS_CHART, TRANSFERS_CHART}),
}
ALL_HOME_PANELS = frozenset().union(*HOME_PANELS.values())

ROLE_PERMISSIONS: dict[str, list[str]] = {
    TELLER: [*_LEDGER_READ, "organization.view_branch", "organization.view_approvalrequest", *_CUSTOMER_BRANCH,
             *_ACCOUNTS_BRANCH, *_PAYMENTS_READ, *_PAYMENTS_INITIATE, "payments.view_beneficiary",
             "payments.add_beneficiary", "payments.request_large_payment", *_LOAN_APPLICATIONS_ENTER, *_LOAN_COUNTER],
    BRANCH_MANAGER: [
        *_LEDGER_READ,
        *_ORG_READ,
        "organization.view_user",
        "organization.decide_approvalrequest",
        "ledger.request_reversal",
        *_CUSTOMER_BRANCH,
        "customers.upgrade_customer",
        "customers.block_customer",
        *_ACCOUNTS_BRANCH,
        "accounts.approve_cash_operation",
        "accounts.request_account_closure",
        *_PAYMENTS_READ,
        *_PAYMENTS_INITIATE,
        "payments.add_standingorder",
        "payments.change_standingorder",
        "payments.view_beneficiary",
        "payments.add_beneficiary",
        "payments.request_large_payment",
        *_LOANS_READ,
        *_LOAN_COUNTER,
        *_LOAN_CREDIT,
        "loans.sit_on_credit_committee",
    ],
    LOAN_OFFICER: [*_LEDGER_READ, "organization.view_branch", "organization.view_approvalrequest",
                   "customers.view_customer", "kyc.view_kycdocument", "kyc.view_kyccheck", *_ACCOUNTS_READ,
                   *_LOANS_READ, *_LOAN_CREDIT, "loans.disburse_loan", "loans.charge_loan"],
    # Compliance reviews customers, KYC, screening and held payments, and freezes accounts. It moves no money:
    # no accounts.change_account (bank-wide, that made every account one it may debit), no payment initiation,
    # and no organization.decide_approvalrequest (a checker's approval runs the maker's payment or closure).
    COMPLIANCE_OFFICER: [
        *_LEDGER_READ,
        *_ORG_READ,
        "organization.view_user",
        # what a customer declared they expect (income, turnover, business): the AML profile's yardstick
        "compliance.view_expectedactivity",
        "compliance.add_expectedactivity",
        "compliance.change_expectedactivity",
        # the typology library's settings (changed and checked by two compliance officers, maker-checker) and
        # backtests
        "compliance.view_typologysetting",
        "compliance.add_typologysetting",
        "compliance.change_typologysetting",
        "compliance.view_backtestrun",
        "compliance.request_backtest",
        # the reports to the FIU: the CTR register and its thresholds (maker-checker), SARs drafted, approved by a
        # second officer (four-eyes), filed
        "compliance.view_currencytransactionreport",
        "compliance.file_ctr",
        "compliance.view_ctrthreshold",
        "compliance.add_ctrthreshold",
        "compliance.change_ctrthreshold",
        "compliance.view_suspiciousactivityreport",
        "compliance.draft_sar",
        "compliance.approve_sar",
        "compliance.file_sar",
        "customers.view_customer",
        "customers.change_customer",
        "customers.block_customer",
        "customers.unblock_customer",
        *_KYC_READ,
        "kyc.change_kycdocument",
        "kyc.review_kyc",
        "kyc.decide_screeninghit",
        "kyc.view_screeningentry",
        "kyc.view_screeninglistimport",
        "kyc.add_screeninglistimport",
        "outbox.view_outboxevent",
        *_ACCOUNTS_READ,
        "accounts.freeze_account",
        *_PAYMENTS_READ,
        "payments.view_gatewayevent",
        *_FRAUD_READ,
        "payments.change_paymentreview",
        "payments.review_payment",
        *_COMPLIANCE_CASES,
    ],
    # Auditors read everything and change nothing: every view permission is added in sync_role_permissions,
    # except credentials (AUDITOR_NEVER_VIEWS).
    AUDITOR: [],
    # Operations keeps the bank's configuration (products, fees, limits, fraud rules, branches, staff logins) and
    # its batch: it is the one role that may change or run the beat schedules (apps.organization.beat_admin).
    # It moves no customer money and handles no cash.
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
        *_BEAT_SCHEDULES,
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        # API tokens: who holds one until when (never the secret); revoke a lost device's.
        "knox.view_authtoken",
        "knox.delete_authtoken",
        "customers.view_customer",
        "kyc.view_screeninglistimport",
        "kyc.add_screeninglistimport",
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
        "ledger.view_ledgercheck",
        *_PAYMENTS_READ,
        "payments.view_gatewayevent",
        "payments.add_feeschedule",
        "payments.change_feeschedule",
        "payments.add_transferlimit",
        "payments.change_transferlimit",
        *_FRAUD_READ,
        "payments.add_fraudrule",
        "payments.change_fraudrule",
        *_LOANS_READ,
        "loans.add_loanproduct",
        "loans.change_loanproduct",
        "organization.add_holiday",
        "organization.change_holiday",
        "organization.delete_holiday",
    ],
}


def permissions_for(role: str) -> Any:
    if role == AUDITOR:
        return Permission.objects.filter(codename__startswith="view_").exclude(
            content_type__app_label__in=AUDITOR_NEVER_VIEWS)
    query = Q(pk__in=[])
    for name in ROLE_PERMISSIONS[role]:
        app_label, codename = name.split(".", 1)
        query |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(query)


def sync_role_permissions(sender: Any = None, **kwargs: Any) -> None:
    """Make every role group hold exactly the permissions this module gives it (idempotent).

    After a migrate (or a test's flush) Django sends post_migrate once per app, in INSTALLED_APPS order, and
    creates each app's permissions on its own signal: the groups are synced once, on the last app's signal, when
    every permission exists (once per app made each flush of a transactional test seconds slower)."""
    if sender is not None and sender is not _last_app_migrated():
        return
    using = kwargs.get("using", "default")
    for role in ALL_ROLES:
        group, _ = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set(permissions_for(role).using(using))


def _last_app_migrated() -> Any:
    """The app config post_migrate is sent for last: the last installed app that has models."""
    return [config for config in apps.get_app_configs() if config.models_module is not None][-1]
