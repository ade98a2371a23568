import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SmsPreference",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "categories",
                    models.JSONField(blank=True, default=list, verbose_name="notices by SMS"),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                (
                    "person",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sms_preference",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="person",
                    ),
                ),
            ],
            options={
                "verbose_name": "SMS preference",
                "verbose_name_plural": "SMS preferences",
            },
        ),
        migrations.RemoveConstraint(
            model_name="notification",
            name="notify_channel_has_target",
        ),
        migrations.AddField(
            model_name="notification",
            name="gateway_answer",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="What the SMS provider answered on the last attempt.",
                verbose_name="gateway answer",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="mobile",
            field=models.CharField(blank=True, max_length=11, verbose_name="mobile number"),
        ),
        migrations.AddField(
            model_name="notification",
            name="sms_kind",
            field=models.CharField(blank=True, max_length=32, verbose_name="SMS kind"),
        ),
        migrations.AddField(
            model_name="notification",
            name="sms_params",
            field=models.JSONField(blank=True, default=dict, verbose_name="SMS parameters"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="channel",
            field=models.CharField(
                choices=[
                    ("inbox", "In-app inbox"),
                    ("email", "E-mail"),
                    ("webhook", "Group-robot webhook"),
                    ("sms", "SMS"),
                ],
                max_length=16,
                verbose_name="channel",
            ),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("channel__in", ("inbox", "email")), ("recipient__isnull", False)),
                    models.Q(("channel", "webhook"), ("organization__isnull", False)),
                    models.Q(
                        ("channel", "sms"),
                        models.Q(
                            ("recipient__isnull", False),
                            models.Q(("mobile", ""), _negated=True),
                            _connector="OR",
                        ),
                    ),
                    _connector="OR",
                ),
                name="notify_channel_has_target",
            ),
        ),
    ]
