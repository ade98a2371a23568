# 联席会议议事规则 第三条: the recorded 委托 to convene and chair the joint meeting.
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ChairDelegation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("start", models.DateField(verbose_name="from")),
                ("end", models.DateField(verbose_name="until")),
                ("note", models.TextField(blank=True, verbose_name="scope and remarks")),
                ("granted_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("revoked_on", models.DateField(blank=True, null=True, verbose_name="revoked on")),
                ("revoke_reason", models.TextField(blank=True, verbose_name="reason for revoking")),
                (
                    "compound",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="chair_delegations",
                        to="directory.compound",
                        verbose_name="compound",
                    ),
                ),
                (
                    "delegate",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="chair_delegations",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="entrusted person",
                    ),
                ),
                (
                    "delegator",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="entrusted by",
                    ),
                ),
                (
                    "revoked_by",
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
                "verbose_name": "delegation to convene and chair the joint meeting",
                "verbose_name_plural": "delegations to convene and chair the joint meeting",
                "ordering": ("-start", "-pk"),
            },
        ),
        migrations.CreateModel(
            name="ChairDelegationEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "at",
                    models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now, verbose_name="time"
                    ),
                ),
                ("verb", models.CharField(max_length=64, verbose_name="action")),
                (
                    "from_state",
                    models.CharField(blank=True, max_length=32, verbose_name="from state"),
                ),
                ("to_state", models.CharField(blank=True, max_length=32, verbose_name="to state")),
                ("note", models.TextField(blank=True, verbose_name="note")),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty when the system (a scheduled scan) acted.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="actor",
                    ),
                ),
                (
                    "delegation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="directory.chairdelegation",
                    ),
                ),
            ],
            options={
                "ordering": ("at", "pk"),
                "abstract": False,
            },
        ),
        migrations.AddIndex(
            model_name="chairdelegation",
            index=models.Index(
                fields=["compound", "delegate", "end"], name="directory_c_compoun_ac9bc9_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="chairdelegation",
            constraint=models.CheckConstraint(
                condition=models.Q(("end__gte", models.F("start"))),
                name="chair_delegation_end_after_start",
            ),
        ),
    ]
