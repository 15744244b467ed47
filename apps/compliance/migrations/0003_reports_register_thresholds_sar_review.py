"""The reports' register: CTR thresholds per currency (under maker-checker; EUR and USD 10,000 to start with),
the SAR's review and acknowledgement, and the database keeping a filed SAR as filed
(apps/compliance/sql/sar_retention.*.sql, a PostgreSQL and a SQLite version)."""

import re
from decimal import Decimal
from pathlib import Path

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
VENDOR_SUFFIX = {"postgresql": "pg", "sqlite": "sqlite"}
STARTING_THRESHOLDS = {"EUR": Decimal("10000.00"), "USD": Decimal("10000.00")}


def _statements(vendor: str, reverse: bool) -> list[str]:
    text = (SQL_DIR / f"sar_retention.{VENDOR_SUFFIX[vendor]}{'.reverse' if reverse else ''}.sql").read_text()
    if vendor == "postgresql":
        return [text]  # one round trip; the PL/pgSQL body is dollar-quoted
    # SQLite runs one statement at a time; its file separates them with "-- statement" lines.
    parts = (part.strip() for part in re.split(r"^-- statement$", text, flags=re.MULTILINE))
    return [part for part in parts if part and not part.startswith("--")]


def _triggers(*, reverse: bool):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for statement in _statements(vendor, reverse) if vendor in VENDOR_SUFFIX else []:
            schema_editor.execute(statement, params=None)

    return run


def _starting_thresholds(apps, schema_editor):
    """EUR and USD 10,000, each with its first history row (every domain row has history)."""
    threshold = apps.get_model("compliance", "CtrThreshold")
    history = apps.get_model("compliance", "HistoricalCtrThreshold")
    for currency, amount in STARTING_THRESHOLDS.items():
        row, created = threshold.objects.get_or_create(currency=currency, defaults={"amount": amount})
        if created:
            history.objects.create(id=row.pk, currency=currency, amount=amount, history_type="+",
                                   history_date=django.utils.timezone.now(),
                                   history_change_reason="The starting threshold (migration 0002)")


class Migration(migrations.Migration):

    dependencies = [
        ('compliance', '0002_backtest_run'),
        ('customers', '0005_customer_name_trigram_index'),
        ('organization', '0006_holidays'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CtrThreshold',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('currency', models.CharField(choices=[('AED', 'AED'), ('AUD', 'AUD'), ('BGN', 'BGN'), ('BHD', 'BHD'), ('BRL', 'BRL'), ('CAD', 'CAD'), ('CHF', 'CHF'), ('CLP', 'CLP'), ('CNY', 'CNY'), ('CZK', 'CZK'), ('DKK', 'DKK'), ('EUR', 'EUR'), ('GBP', 'GBP'), ('HKD', 'HKD'), ('HUF', 'HUF'), ('ILS', 'ILS'), ('INR', 'INR'), ('IQD', 'IQD'), ('ISK', 'ISK'), ('JOD', 'JOD'), ('JPY', 'JPY'), ('KES', 'KES'), ('KRW', 'KRW'), ('KWD', 'KWD'), ('LYD', 'LYD'), ('MAD', 'MAD'), ('MXN', 'MXN'), ('NGN', 'NGN'), ('NOK', 'NOK'), ('NZD', 'NZD'), ('OMR', 'OMR'), ('PHP', 'PHP'), ('PLN', 'PLN'), ('RON', 'RON'), ('SAR', 'SAR'), ('SEK', 'SEK'), ('SGD', 'SGD'), ('TND', 'TND'), ('TRY', 'TRY'), ('UGX', 'UGX'), ('USD', 'USD'), ('VND', 'VND'), ('XAF', 'XAF'), ('XOF', 'XOF'), ('ZAR', 'ZAR')], max_length=3, unique=True)),
                ('amount', models.DecimalField(decimal_places=4, help_text='Cash above this amount (not at it) is reported.', max_digits=20)),
            ],
            options={
                'verbose_name': 'CTR threshold',
                'ordering': ['currency'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalCtrThreshold',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('currency', models.CharField(choices=[('AED', 'AED'), ('AUD', 'AUD'), ('BGN', 'BGN'), ('BHD', 'BHD'), ('BRL', 'BRL'), ('CAD', 'CAD'), ('CHF', 'CHF'), ('CLP', 'CLP'), ('CNY', 'CNY'), ('CZK', 'CZK'), ('DKK', 'DKK'), ('EUR', 'EUR'), ('GBP', 'GBP'), ('HKD', 'HKD'), ('HUF', 'HUF'), ('ILS', 'ILS'), ('INR', 'INR'), ('IQD', 'IQD'), ('ISK', 'ISK'), ('JOD', 'JOD'), ('JPY', 'JPY'), ('KES', 'KES'), ('KRW', 'KRW'), ('KWD', 'KWD'), ('LYD', 'LYD'), ('MAD', 'MAD'), ('MXN', 'MXN'), ('NGN', 'NGN'), ('NOK', 'NOK'), ('NZD', 'NZD'), ('OMR', 'OMR'), ('PHP', 'PHP'), ('PLN', 'PLN'), ('RON', 'RON'), ('SAR', 'SAR'), ('SEK', 'SEK'), ('SGD', 'SGD'), ('TND', 'TND'), ('TRY', 'TRY'), ('UGX', 'UGX'), ('USD', 'USD'), ('VND', 'VND'), ('XAF', 'XAF'), ('XOF', 'XOF'), ('ZAR', 'ZAR')], db_index=True, max_length=3)),
                ('amount', models.DecimalField(decimal_places=4, help_text='Cash above this amount (not at it) is reported.', max_digits=20)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical CTR threshold',
                'verbose_name_plural': 'historical CTR thresholds',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AlterModelOptions(
            name='currencytransactionreport',
            options={'ordering': ['-business_date', 'id'], 'permissions': [('file_ctr', 'Can file a currency transaction report with the FIU')], 'verbose_name': 'currency transaction report'},
        ),
        migrations.AlterModelOptions(
            name='suspiciousactivityreport',
            options={'ordering': ['-created_at', '-id'], 'permissions': [('draft_sar', 'Can draft a SAR and submit it for review'), ('approve_sar', 'Can approve a SAR another officer drafted'), ('file_sar', 'Can file an approved SAR with the FIU and record its acknowledgement')], 'verbose_name': 'suspicious activity report'},
        ),
        migrations.AddField(
            model_name='historicalsuspiciousactivityreport',
            name='acknowledged_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='historicalsuspiciousactivityreport',
            name='acknowledged_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalsuspiciousactivityreport',
            name='approval_request',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The review (maker-checker) it was last submitted to.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='organization.approvalrequest'),
        ),
        migrations.AddField(
            model_name='suspiciousactivityreport',
            name='acknowledged_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='suspiciousactivityreport',
            name='acknowledged_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='suspiciousactivityreport',
            name='approval_request',
            field=models.ForeignKey(blank=True, help_text='The review (maker-checker) it was last submitted to.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organization.approvalrequest'),
        ),
        migrations.AddIndex(
            model_name='currencytransactionreport',
            index=models.Index(fields=['status', 'business_date'], name='ctr_by_status_date'),
        ),
        migrations.AddConstraint(
            model_name='currencytransactionreport',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'filed'), _negated=True), models.Q(models.Q(('fiu_reference', ''), _negated=True), ('filed_by__isnull', False)), _connector='OR'), name='ctr_filed_has_acknowledgement'),
        ),
        migrations.AddConstraint(
            model_name='suspiciousactivityreport',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'filed'), _negated=True), fields=('case',), name='sar_one_unfiled_per_case'),
        ),
        migrations.AddConstraint(
            model_name='suspiciousactivityreport',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['draft', 'in_review']), ('approved_by__isnull', False), _connector='OR'), name='sar_approved_by_someone'),
        ),
        migrations.AddConstraint(
            model_name='suspiciousactivityreport',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('acknowledged_at__isnull', True), ('fiu_reference', '')), models.Q(('status', 'filed'), models.Q(('fiu_reference', ''), _negated=True), ('acknowledged_at__isnull', False)), _connector='OR'), name='sar_acknowledged_when_filed'),
        ),
        migrations.AddConstraint(
            model_name='ctrthreshold',
            constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='ctr_threshold_positive'),
        ),
        migrations.AddField(
            model_name='historicalctrthreshold',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(_starting_thresholds, migrations.RunPython.noop),
        migrations.RunPython(_triggers(reverse=False), _triggers(reverse=True)),
    ]
