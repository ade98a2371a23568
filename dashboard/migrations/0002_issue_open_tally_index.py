"""An index for the compound dashboard's open-complaint tally (issue 20).

``issues.selectors.issue_counts`` groups a compound's open complaints by tier and
status, counting the overdue ones and taking the oldest filing time. This partial
covering index holds exactly those rows and columns, so the tally is an index-only
scan of the compound's open complaints instead of a heap read of all its complaints:
36–62 ms → 10–16 ms for a compound with 50,000 open complaints
(bench/results/2026-12-07-late-1m.md).

PostgreSQL only (``INCLUDE``, partial index), built ``CONCURRENTLY`` so the complaints
table stays writable; on SQLite (``make run``) nothing happens.
"""

from django.db import migrations

INDEX = "issue_open_tally_idx"
OPEN_STATES = ("submitted", "accepted", "transferred", "in_progress", "waiting_reporter")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    states = ", ".join(f"'{state}'" for state in OPEN_STATES)
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON issues_issue "
        "(compound_id, tier, status) "
        "INCLUDE (id, created_at, next_deadline, paused_at, is_hazard) "
        f"WHERE status IN ({states})"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("dashboard", "0001_initial"),
        ("issues", "0008_alarm_stage_shared_vocabulary"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
