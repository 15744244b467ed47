"""The holds of transfers held for review are the review's (accounts' Hold.purpose, added in accounts 0004): staff
may no longer release them from the account page before compliance decides. Existing review holds are marked so
here, in payments, which knows which holds are its transfers' (accounts does not know payments)."""

from django.db import migrations


def mark_review_holds(apps, schema_editor):
    Hold = apps.get_model("accounts", "Hold")
    Transfer = apps.get_model("payments", "Transfer")
    review_holds = Transfer.objects.filter(hold__isnull=False).values("hold_id")
    Hold.objects.filter(pk__in=review_holds).update(purpose="payment_review")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_hold_purpose_and_idempotency_key"),
        ("payments", "0011_beneficiary_plural"),
    ]

    operations = [migrations.RunPython(mark_review_holds, migrations.RunPython.noop)]
