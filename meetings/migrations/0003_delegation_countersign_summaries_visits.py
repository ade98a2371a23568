# 联席会议议事规则 第三条 (the delegation a meeting is chaired under), 第四条 (countersign
# deadline; bodies that did not countersign by it), 第六条 (work-summary reminders);
# 协同联动 第四条 (street joint meeting, referral to the street), 第六条 (home visits).
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def _countersign_due_for_open_summaries(apps, schema_editor):
    """A summary already out for countersigning gets its deadline counted from when it
    was sent (its last ``summary_countersign_request`` event), so no summary is left
    without one (联席会议议事规则 第四条: no veto)."""
    from huashan import workdays
    from meetings.models.summaries import COUNTERSIGN_WINDOW

    Summary = apps.get_model("meetings", "Summary")
    MeetingEvent = apps.get_model("meetings", "MeetingEvent")
    for summary in Summary.objects.filter(status="countersigning", countersign_due__isnull=True):
        sent = (
            MeetingEvent.objects.filter(
                meeting_id=summary.meeting_id, verb="summary_countersign_request"
            )
            .order_by("-at")
            .values_list("at", flat=True)
            .first()
        ) or summary.drafted_at
        summary.countersign_due = workdays.deadline(sent, COUNTERSIGN_WINDOW)
        summary.save(update_fields=["countersign_due"])


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0002_meeting_recorded_afterwards"),
        ("directory", "0002_chair_delegations"),
        ("issues", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="chair_delegation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="meetings",
                to="directory.chairdelegation",
                verbose_name="chaired under the delegation",
            ),
        ),
        migrations.AddField(
            model_name="summary",
            name="countersign_due",
            field=models.DateTimeField(blank=True, null=True, verbose_name="countersign by"),
        ),
        migrations.AddField(
            model_name="summarysignature",
            name="missing_at_approval",
            field=models.BooleanField(
                default=False, verbose_name="not countersigned by the deadline"
            ),
        ),
        migrations.CreateModel(
            name="HomeVisitEvent",
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
            ],
            options={
                "ordering": ("at", "pk"),
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="StreetReferral",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("proposal", models.TextField(verbose_name="the joint meeting's proposal")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("proposed", "Proposed by the joint meeting"),
                            ("requested", "Requested of the street"),
                            ("declined", "Not taken to the street"),
                            ("convened", "Street joint meeting convened"),
                            ("concluded", "Outcome returned to the complaint"),
                        ],
                        default="proposed",
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                ("proposed_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "request_text",
                    models.TextField(
                        blank=True, verbose_name="the community party organization's request"
                    ),
                ),
                (
                    "decline_reason",
                    models.TextField(blank=True, verbose_name="why it is not taken to the street"),
                ),
                ("requested_at", models.DateTimeField(blank=True, null=True)),
                (
                    "outcome",
                    models.TextField(
                        blank=True, verbose_name="outcome of the street joint meeting"
                    ),
                ),
                ("concluded_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "verbose_name": "referral to the street",
                "verbose_name_plural": "referrals to the street",
                "ordering": ("-proposed_at", "-pk"),
            },
        ),
        migrations.CreateModel(
            name="WorkSummaryReminder",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("period", models.CharField(max_length=8)),
                (
                    "stage",
                    models.CharField(
                        choices=[("due_soon", "Due soon"), ("overdue", "Overdue")], max_length=12
                    ),
                ),
                ("sent_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.AlterField(
            model_name="forumopinion",
            name="meeting",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="opinions",
                to="meetings.meeting",
            ),
        ),
        migrations.AlterField(
            model_name="meeting",
            name="kind",
            field=models.CharField(
                choices=[
                    ("joint", "Joint meeting (联席会议)"),
                    ("residents_forum", "Residents' forum (民情恳谈会)"),
                    ("work_hearing", "Work hearing (工作听证会)"),
                    ("service_review", "Service review (服务评议会)"),
                    ("owners_forum", "Owners' forum (业主恳谈会)"),
                    ("pmc_working", "PMC working meeting (物业管理委员会工作会议)"),
                    ("street_joint", "Street joint meeting (街道联席会议)"),
                ],
                db_index=True,
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.CreateModel(
            name="HomeVisit",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("visited_on", models.DateField(verbose_name="date of the visit")),
                ("visitors", models.CharField(max_length=200, verbose_name="who visited")),
                ("purpose", models.TextField(verbose_name="purpose of the visit")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "compound",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="home_visits",
                        to="directory.compound",
                        verbose_name="compound",
                    ),
                ),
                (
                    "household",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="directory.household",
                        verbose_name="household visited",
                    ),
                ),
                (
                    "issue",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="issues.issue",
                        verbose_name="related complaint",
                    ),
                ),
                (
                    "organizations",
                    models.ManyToManyField(
                        related_name="+",
                        to="directory.organization",
                        verbose_name="bodies taking part",
                    ),
                ),
                (
                    "recorded_by",
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
                "verbose_name": "home visit",
                "verbose_name_plural": "home visits",
                "ordering": ("-visited_on", "-pk"),
            },
        ),
        migrations.AddField(
            model_name="forumopinion",
            name="visit",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="opinions",
                to="meetings.homevisit",
            ),
        ),
        migrations.AddConstraint(
            model_name="forumopinion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("meeting__isnull", False), ("visit__isnull", True)),
                    models.Q(("meeting__isnull", True), ("visit__isnull", False)),
                    _connector="OR",
                ),
                name="forum_opinion_meeting_or_visit",
            ),
        ),
        migrations.AddField(
            model_name="homevisitevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty when the system (a scheduled scan) acted.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="actor",
            ),
        ),
        migrations.AddField(
            model_name="homevisitevent",
            name="visit",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="events",
                to="meetings.homevisit",
            ),
        ),
        migrations.AddField(
            model_name="streetreferral",
            name="compound",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="street_referrals",
                to="directory.compound",
            ),
        ),
        migrations.AddField(
            model_name="streetreferral",
            name="issue",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="street_referrals",
                to="issues.issue",
                verbose_name="complaint",
            ),
        ),
        migrations.AddField(
            model_name="streetreferral",
            name="joint_meeting",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="street_proposals",
                to="meetings.meeting",
                verbose_name="joint meeting that studied it",
            ),
        ),
        migrations.AddField(
            model_name="streetreferral",
            name="proposed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="streetreferral",
            name="requested_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="streetreferral",
            name="street_meeting",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="street_referrals",
                to="meetings.meeting",
                verbose_name="street joint meeting",
            ),
        ),
        migrations.AddField(
            model_name="worksummaryreminder",
            name="compound",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="directory.compound",
            ),
        ),
        migrations.AddIndex(
            model_name="homevisit",
            index=models.Index(
                fields=["compound", "visited_on"], name="meetings_ho_compoun_9d6d68_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="worksummaryreminder",
            constraint=models.UniqueConstraint(
                fields=("compound", "period", "stage"), name="work_summary_reminder_once"
            ),
        ),
        migrations.RunPython(_countersign_due_for_open_summaries, migrations.RunPython.noop),
    ]
