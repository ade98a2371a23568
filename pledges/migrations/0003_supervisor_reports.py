# The volunteer quality supervisor's violation reports to the street and the competent
# departments, each acknowledged by a deadline (决策报告制度 第四条).
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pledges", "0002_letter_pdf"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SupervisorReport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("body", models.TextField(max_length=4000, verbose_name="what was found")),
                ("reported_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("due", models.DateTimeField(db_index=True, verbose_name="acknowledge by")),
                ("overdue_raised_at", models.DateTimeField(blank=True, null=True)),
                (
                    "compound",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="directory.compound",
                    ),
                ),
                (
                    "reported_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "quality supervisor's report",
                "verbose_name_plural": "quality supervisor's reports",
                "ordering": ("-reported_at", "pk"),
            },
        ),
        migrations.CreateModel(
            name="SupervisorReportReceipt",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("acknowledged_at", models.DateTimeField(blank=True, null=True)),
                ("answer", models.TextField(blank=True, verbose_name="answer")),
                (
                    "acknowledged_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
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
                (
                    "report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="receipts",
                        to="pledges.supervisorreport",
                    ),
                ),
            ],
            options={
                "ordering": ("report", "pk"),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("report", "organization"), name="supervisor_report_receipt_once"
                    )
                ],
            },
        ),
    ]
