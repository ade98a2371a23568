# 协同联动 第五条: the report of a legacy matter upwards and the three parties' joint
# explanation.
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("issues", "0006_clocks_to_the_letter"),
        ("directory", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="JointExplanation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.TextField(verbose_name="explanation to residents")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("awaiting", "Awaiting the three parties' confirmation"),
                            ("published", "Published jointly"),
                            ("withdrawn", "Withdrawn"),
                        ],
                        default="awaiting",
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                ("drafted_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("published_at", models.DateTimeField(blank=True, null=True)),
                (
                    "drafted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "issue",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="joint_explanations",
                        to="issues.issue",
                    ),
                ),
            ],
            options={
                "verbose_name": "joint explanation of the three parties",
                "verbose_name_plural": "joint explanations of the three parties",
                "ordering": ("-drafted_at", "-pk"),
            },
        ),
        migrations.CreateModel(
            name="LegacyReport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("content", models.TextField(verbose_name="what was reported")),
                ("reported_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "response",
                    models.TextField(blank=True, verbose_name="answer of the street or department"),
                ),
                ("responded_at", models.DateTimeField(blank=True, null=True)),
                (
                    "issue",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="legacy_reports",
                        to="issues.issue",
                    ),
                ),
                (
                    "recipients",
                    models.ManyToManyField(
                        related_name="+", to="directory.organization", verbose_name="reported to"
                    ),
                ),
                (
                    "reported_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "reporting_organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="directory.organization",
                        verbose_name="reported by",
                    ),
                ),
            ],
            options={
                "verbose_name": "report of a legacy matter upwards",
                "verbose_name_plural": "reports of legacy matters upwards",
                "ordering": ("-reported_at", "-pk"),
            },
        ),
        migrations.CreateModel(
            name="JointExplanationConfirmation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("confirmed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "confirmed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "explanation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="confirmations",
                        to="issues.jointexplanation",
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="directory.organization",
                    ),
                ),
            ],
            options={
                "ordering": ("organization__kind", "pk"),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("explanation", "organization"),
                        name="joint_explanation_confirm_once",
                    )
                ],
            },
        ),
    ]
