"""The demo seeders ``manage.py seed_demo`` runs, in order. Each takes the command's output stream, creates
only what is missing (safe to run again), and runs inside one transaction with the others. A domain app
appends its own seeder here; a seeder lives with the domain it seeds (the demo customers with KYC, which gives
them their states)."""

DEMO_SEEDERS = [
    "apps.organization.demo.seed_organization",
    "apps.ledger.demo.seed_ledger",
    "apps.kyc.demo.seed_customers",
    "apps.accounts.demo.seed_accounts",
    "apps.payments.demo.seed_payments",
    "apps.loans.demo.seed_loan_products",
    "apps.loans.demo_applications.seed_loan_applications",
    "apps.loans.demo_loans.seed_demo_loans",
    "apps.compliance.demo.seed_typology_settings",
    "apps.compliance.demo.seed_aml_case",
]
