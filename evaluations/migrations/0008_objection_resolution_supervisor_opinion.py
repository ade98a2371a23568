# Objections are resolved, not merely answered (评议监督考核制度 第五条 "无异议"), and the
# volunteer quality supervisor gives an opinion for the annual evaluation (决策报告制度 第四条).
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0007_december_reminder_alarm_row"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="objection",
            name="correction",
            field=models.TextField(blank=True, verbose_name="correction of the preliminary result"),
        ),
        migrations.AddField(
            model_name="objection",
            name="resolution",
            field=models.CharField(
                blank=True,
                choices=[
                    ("upheld", "Upheld: the preliminary result was corrected"),
                    ("dismissed", "Dismissed, with reasons"),
                ],
                max_length=12,
                verbose_name="resolution",
            ),
        ),
        migrations.CreateModel(
            name="SupervisorOpinion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.TextField(max_length=2000, verbose_name="opinion")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="supervisor_opinions",
                        to="evaluations.campaign",
                    ),
                ),
                (
                    "target",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="evaluations.target",
                    ),
                ),
            ],
            options={
                "verbose_name": "quality supervisor's opinion",
                "verbose_name_plural": "quality supervisors' opinions",
                "ordering": ("created_at", "pk"),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("campaign", "target", "author"),
                        name="one_supervisor_opinion_per_target",
                    )
                ],
            },
        ),
    ]
