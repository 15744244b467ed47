# A held payment's review deadline counts from the business date on which it was held, stored on the review.

from django.db import migrations, models


def held_on_from_the_creation_date(apps, schema_editor):
    # Reviews held before this migration: the calendar date they were created on is the best record there is of
    # the business date they were held on.
    review = apps.get_model("payments", "PaymentReview")
    for pk, created_at in review.objects.values_list("pk", "created_at").iterator():
        review.objects.filter(pk=pk).update(held_on=created_at.date())
    historical = apps.get_model("payments", "HistoricalPaymentReview")
    for pk, created_at in historical.objects.values_list("pk", "created_at").iterator():
        historical.objects.filter(pk=pk).update(held_on=created_at.date() if created_at else None)


class Migration(migrations.Migration):

    dependencies = [
        ("payments", "0006_fraud_rule_currency"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="paymentreview", name="payment_review_pending"),
        migrations.AddField(model_name="paymentreview", name="held_on", field=models.DateField(null=True)),
        migrations.AddField(model_name="historicalpaymentreview", name="held_on", field=models.DateField(null=True)),
        migrations.RunPython(held_on_from_the_creation_date, migrations.RunPython.noop),
        migrations.AlterField(model_name="paymentreview", name="held_on", field=models.DateField()),
        migrations.AlterField(model_name="historicalpaymentreview", name="held_on", field=models.DateField()),
        migrations.AddIndex(
            model_name="paymentreview",
            index=models.Index(condition=models.Q(("status", "pending")), fields=["held_on"],
                               name="payment_review_pending"),
        ),
    ]
