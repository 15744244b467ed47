import datetime

import factory

from apps.organization.models import Bank, User
from apps.organization.services import assign_role, open_branch

TEST_PASSWORD = "correct-horse-battery-staple"


class BankFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bank
        django_get_or_create = ("code",)

    code = "OGPGY"
    name = "OgPgy Bank"
    address = "Avenida da Liberdade 100\n1250-146 Lisboa\nPortugal"
    bic = "OGPGPTPL"
    base_currency = "EUR"
    current_business_date = datetime.date(2026, 11, 23)


def open_test_branch(bank, code, name, is_head_office=False):
    return open_branch(bank=bank, code=code, name=name, is_head_office=is_head_office)


class StaffFactory(factory.django.DjangoModelFactory):
    """A staff user in a role: ``StaffFactory(role=roles.TELLER, home_branch=branch)``."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        self.save()
        if extracted:
            assign_role(user=self, role=extracted)


class CustomerUserFactory(factory.django.DjangoModelFactory):
    """A channel user (a customer logging into the API): not staff, no role."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"customer{n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def saved(self, create, extracted, **kwargs):
        self.save()
