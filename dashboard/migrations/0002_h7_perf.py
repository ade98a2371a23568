# Reserved for helper H7 of the 2026-12-07 session; filled by its model changes.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0001_initial")]

    operations = []
