# Reserved for helper H1 of the 2026-12-07 session; filled by its model changes.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = []
