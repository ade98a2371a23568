"""pg_trgm for "looks the same" search (a no-op on SQLite)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("issues", "0001_initial")]

    operations = [TrigramExtension()]
