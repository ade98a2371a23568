# Reserved for helper H2 of the 2026-12-07 session; filled by its model changes.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("issues", "0005_alarm_recheck_idempotency_key_public_board_idx")]

    operations = []
