# Complaint clocks kept to the letter (issue 18): the major-hazard report upwards
# (小区党组织服务承诺 第7条 "重大隐患即时上报并全程跟踪"), clock labels without numbers (the numbers
# have one source, huashan.workdays), and no stored copy of the pledges' numbers.
from django.db import migrations, models

# The numbers the auto-created rows held when they were written (historical, frozen here).
_AUTO_CREATED = {
    "response_hours": 48,
    "feedback_working_days": 7,
    "plan_days": 7,
    "hazard_days": 3,
    "warn_before_hours": 12,
    "auto_close_days": 7,
    "reopen_days": 14,
    "legacy_explanation_days": 30,
}


def drop_auto_created_policies(apps, schema_editor):
    """``clock_policy_for`` used to create a row holding the pledges' numbers for every
    compound: such a row is a stale copy, not a choice. A compound without a row follows
    the one source; rows with any number changed by staff stay."""
    ClockPolicy = apps.get_model("issues", "ClockPolicy")
    ClockPolicy.objects.filter(**_AUTO_CREATED).delete()


class Migration(migrations.Migration):
    dependencies = [("issues", "0005_alarm_recheck_idempotency_key_public_board_idx")]

    operations = [
        migrations.AddField(
            model_name="issue",
            name="hazard_major",
            field=models.BooleanField(default=False, verbose_name="major safety hazard"),
        ),
        migrations.AddField(
            model_name="issue",
            name="hazard_reported_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="major hazard reported upwards"
            ),
        ),
        migrations.AlterField(
            model_name="issuealarm",
            name="clock",
            field=models.CharField(
                choices=[
                    ("response", "Response deadline"),
                    ("feedback", "Progress feedback deadline"),
                    ("plan", "Solution plan deadline"),
                    ("hazard", "Hazard fix deadline"),
                    ("supervision", "Supervision order"),
                    ("whistle", "Whistle report-in"),
                    ("referral", "Referral acknowledgement"),
                ],
                max_length=12,
            ),
        ),
        migrations.AlterField(
            model_name="referral",
            name="purpose",
            field=models.CharField(
                choices=[
                    ("fix", "Fix it (转办)"),
                    ("supervise", "Supervise (督办)"),
                    ("file", "For the record (备档)"),
                    ("investigate", "Joint investigation (联合调查)"),
                    ("decide", "Receive the proposal and decide (报居委会处理)"),
                    ("report", "Major hazard reported, followed to closure (重大隐患上报)"),
                ],
                max_length=16,
            ),
        ),
        migrations.RunPython(drop_auto_created_policies, migrations.RunPython.noop),
    ]
