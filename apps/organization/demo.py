"""Demo data of the organization: the bank, branches, staff logins (the ledger's chart and opening cash are
seeded by apps/ledger/demo.py, which runs next)."""

from django.utils import timezone

from apps.organization.models import Bank, Branch, User
from apps.organization.roles import ALL_ROLES
from apps.organization.services import create_staff_user, open_branch

DEMO_PASSWORD = "ogpgy-demo-2026"  # noqa: S105 - published on purpose; demo mode only
DEMO_BANK_ADDRESS = "Avenida da Liberdade 100\n1250-146 Lisboa\nPortugal"
DEMO_BANK_BIC = "OGPGPTPL"
DEMO_BRANCHES = [
    ("HQ", "Head office", True),
    ("LIS01", "Lisbon Baixa", False),
    ("POR01", "Porto Ribeira", False),
]
ROLE_SLUGS = {
    "Teller": "teller",
    "Branch manager": "manager",
    "Loan officer": "loans",
    "Compliance officer": "compliance",
    "Auditor": "auditor",
    "Operations admin": "ops",
}


def seed_organization(out) -> None:
    bank, _ = Bank.objects.get_or_create(
        code="OGPGY", defaults={"name": "OgPgy Bank", "base_currency": "EUR",
                                "address": DEMO_BANK_ADDRESS, "bic": DEMO_BANK_BIC,
                                "current_business_date": timezone.localdate()},
    )
    branches = []
    for code, name, head_office in DEMO_BRANCHES:
        branch = Branch.objects.filter(code=code).first() or open_branch(
            bank=bank, code=code, name=name, is_head_office=head_office)
        branches.append(branch)

    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "admin@ogpgy.example", DEMO_PASSWORD)
    logins = [("admin", "superuser", "all branches")]
    for branch in branches:
        for role in ALL_ROLES:
            username = f"{ROLE_SLUGS[role]}.{branch.code.lower()}"
            if not User.objects.filter(username=username).exists():
                create_staff_user(
                    username=username, password=DEMO_PASSWORD, role=role, home_branch=branch,
                    first_name=ROLE_SLUGS[role].title(), last_name=branch.name, email=f"{username}@ogpgy.example",
                )
            logins.append((username, role, branch.code))

    out.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for username, role, branch_code in logins:
        out.write(f"  {username:<22} {role:<20} {branch_code}")
