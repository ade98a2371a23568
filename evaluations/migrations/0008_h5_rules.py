# Reserved for helper H5 of the 2026-12-07 session; filled by its model changes.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0007_december_reminder_alarm_row")]

    operations = []
