# Reserved for helper H6 of the 2026-12-07 session; filled by its model changes.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("disclosures", "0004_h5_rules")]

    operations = []
