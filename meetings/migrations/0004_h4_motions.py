# Reserved for helper H4 of the 2026-12-07 session; filled by its model changes.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("meetings", "0003_h3_rules")]

    operations = []
