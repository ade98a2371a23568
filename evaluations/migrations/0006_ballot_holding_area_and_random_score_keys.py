"""Ballots unlinkable from a dump (issue 14 item 2).

* ``PendingBallot``: the holding area a cast ballot waits in until a sweep
  writes it, shuffled, into ``Ballot`` / ``Score``.
* ``Score`` gets a random UUID key instead of a sequence (whose order followed
  the order people voted in). A bigint column cannot be cast to a UUID, so the
  table is rebuilt: a new table, the rows copied with fresh random keys in a
  shuffled order, the old one dropped, the new one renamed.
"""

import random
import uuid

import django.db.models.deletion
from django.db import migrations, models


def copy_scores(apps, schema_editor):
    Score = apps.get_model("evaluations", "Score")
    ScoreNew = apps.get_model("evaluations", "ScoreNew")
    rows = list(Score.objects.values_list("ballot_id", "criterion_id", "value"))
    random.SystemRandom().shuffle(rows)
    ScoreNew.objects.bulk_create(
        (
            ScoreNew(id=uuid.uuid4(), ballot_id=b, criterion_id=c, value=v)
            for b, c, v in rows
        ),
        batch_size=1000,
    )


def copy_back(apps, schema_editor):
    Score = apps.get_model("evaluations", "Score")
    ScoreNew = apps.get_model("evaluations", "ScoreNew")
    Score.objects.bulk_create(
        (
            Score(ballot_id=b, criterion_id=c, value=v)
            for b, c, v in ScoreNew.objects.values_list("ballot_id", "criterion_id", "value")
        ),
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0005_target_member_help_text"),
    ]

    operations = [
        migrations.CreateModel(
            name="PendingBallot",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[("online", "Online"), ("paper", "Paper")], max_length=8
                    ),
                ),
                ("scores", models.JSONField(default=dict)),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
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
        ),
        migrations.CreateModel(
            name="ScoreNew",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("value", models.DecimalField(decimal_places=2, max_digits=6)),
                (
                    "ballot",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="evaluations.ballot",
                    ),
                ),
                (
                    "criterion",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="evaluations.criterion",
                    ),
                ),
            ],
        ),
        migrations.RunPython(copy_scores, copy_back),
        migrations.DeleteModel(name="Score"),
        migrations.RenameModel(old_name="ScoreNew", new_name="Score"),
        migrations.AlterField(
            model_name="score",
            name="ballot",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="scores",
                to="evaluations.ballot",
            ),
        ),
        migrations.AlterField(
            model_name="score",
            name="criterion",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="scores",
                to="evaluations.criterion",
            ),
        ),
        migrations.AddConstraint(
            model_name="score",
            constraint=models.UniqueConstraint(fields=("ballot", "criterion"), name="score_once"),
        ),
        migrations.AddConstraint(
            model_name="score",
            constraint=models.CheckConstraint(
                condition=models.Q(("value__gte", 0)), name="score_not_negative"
            ),
        ),
    ]
