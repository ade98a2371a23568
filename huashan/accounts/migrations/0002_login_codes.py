import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SignInCode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("mobile", models.CharField(max_length=11, verbose_name="mobile number")),
                (
                    "purpose",
                    models.CharField(
                        choices=[("login", "Sign in"), ("register", "Registration")],
                        max_length=16,
                        verbose_name="purpose",
                    ),
                ),
                ("code_hash", models.CharField(max_length=128)),
                (
                    "address",
                    models.GenericIPAddressField(
                        blank=True, null=True, verbose_name="requested from"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="requested"
                    ),
                ),
                ("expires_at", models.DateTimeField(verbose_name="expires")),
                ("tries", models.PositiveSmallIntegerField(default=0, verbose_name="wrong tries")),
                ("used_at", models.DateTimeField(blank=True, null=True, verbose_name="used")),
                (
                    "sent",
                    models.BooleanField(
                        default=False,
                        help_text="False when no message went out.",
                        verbose_name="message sent",
                    ),
                ),
                (
                    "gateway_answer",
                    models.JSONField(blank=True, default=dict, verbose_name="gateway answer"),
                ),
            ],
            options={
                "verbose_name": "sign-in code",
                "verbose_name_plural": "sign-in codes",
                "ordering": ("-created_at", "-pk"),
                "indexes": [
                    models.Index(fields=["mobile", "-created_at"], name="acct_code_mobile_idx"),
                    models.Index(fields=["address", "-created_at"], name="acct_code_address_idx"),
                ],
            },
        ),
        migrations.CreateModel(
            name="WeChatLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "openid",
                    models.CharField(max_length=64, unique=True, verbose_name="WeChat openid"),
                ),
                (
                    "unionid",
                    models.CharField(blank=True, max_length=64, verbose_name="WeChat unionid"),
                ),
                (
                    "linked_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="linked"),
                ),
                (
                    "person",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="wechat_link",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="person",
                    ),
                ),
            ],
            options={"verbose_name": "WeChat link", "verbose_name_plural": "WeChat links"},
        ),
    ]
