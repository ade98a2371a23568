# Issue 17: owners vote themselves (channel, receipt, paper confirmation, headcount keys),
# the early-intervention answers and the participation settings / unit register.
from decimal import Decimal

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0003_delegation_countersign_summaries_visits"),
        ("directory", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="earlyintervention",
            name="answer",
            field=models.CharField(
                blank=True,
                choices=[
                    ("agree", "Agree"),
                    ("conditions", "Agree with conditions"),
                    ("object", "Object"),
                ],
                max_length=12,
                verbose_name="answer",
            ),
        ),
        migrations.AddField(
            model_name="earlyintervention",
            name="resolution",
            field=models.TextField(blank=True, verbose_name="how the objection was resolved"),
        ),
        migrations.AddField(
            model_name="earlyintervention",
            name="resolved_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="earlyintervention",
            name="resolved_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="motionvote",
            name="channel",
            field=models.CharField(
                choices=[("online", "Online"), ("paper", "Paper")],
                default="online",
                max_length=8,
                verbose_name="channel",
            ),
        ),
        migrations.AddField(
            model_name="motionvote",
            name="confirmed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="motionvote",
            name="confirmed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="motionvote",
            name="owner_key",
            field=models.CharField(blank=True, max_length=60),
        ),
        migrations.AddField(
            model_name="motionvote",
            name="receipt",
            field=models.CharField(
                max_length=16, null=True, unique=True, verbose_name="receipt number"
            ),
        ),
        migrations.AddField(
            model_name="ownersassemblymotion",
            name="amount",
            field=models.DecimalField(
                blank=True, decimal_places=2, max_digits=12, null=True, verbose_name="amount (yuan)"
            ),
        ),
        migrations.AddField(
            model_name="ownersassemblymotion",
            name="decision_disclosure_id",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="ownersassemblymotion",
            name="decision_report",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="motions",
                to="meetings.decisionreport",
                verbose_name="decision report",
            ),
        ),
        migrations.AddField(
            model_name="ownersassemblymotion",
            name="owner_keys",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="ownersassemblymotion",
            name="result_disclosure_id",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="ownersassemblymotion",
            name="total_units",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="ownersassemblymotion",
            name="matter",
            field=models.CharField(
                choices=[
                    ("assembly_rules", "Owners' assembly rules of procedure"),
                    ("management_statute", "Management statute (管理规约)"),
                    ("committee_election", "Electing or replacing committee members"),
                    ("company_selection", "Hiring or dismissing the property company"),
                    ("fund_use", "Using the maintenance fund"),
                    ("fund_raising", "Raising the maintenance fund"),
                    ("rebuilding", "Rebuilding or reconstructing buildings and facilities"),
                    ("common_parts_use", "Changing the use of common parts or operating them"),
                    ("fee_adjustment", "Adjusting the property fee"),
                    ("other", "Other major matters of common ownership"),
                ],
                max_length=24,
                verbose_name="matter",
            ),
        ),
        migrations.CreateModel(
            name="MeetingsPolicy",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "public_to_visitors",
                    models.BooleanField(
                        default=False,
                        verbose_name="public meeting pages open to visitors",
                    ),
                ),
                (
                    "large_fund_amount",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("50000.00"),
                        max_digits=12,
                        validators=[django.core.validators.MinValueValidator(Decimal("0.01"))],
                        verbose_name="large maintenance-fund use from (yuan)",
                    ),
                ),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "compound",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="meetings_policy",
                        to="directory.compound",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "participation settings",
                "verbose_name_plural": "participation settings",
            },
        ),
        migrations.CreateModel(
            name="UnitOwnership",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "holder_name",
                    models.CharField(
                        blank=True, max_length=100, verbose_name="holder as registered"
                    ),
                ),
                (
                    "holder_ref",
                    models.CharField(blank=True, max_length=40, verbose_name="holder reference"),
                ),
                (
                    "developer_stock",
                    models.BooleanField(
                        default=False, verbose_name="developer's unsold or undelivered unit"
                    ),
                ),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "household",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="ownership",
                        to="directory.household",
                        verbose_name="unit",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="registered owner",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "unit ownership",
                "verbose_name_plural": "unit ownership register",
            },
        ),
    ]
