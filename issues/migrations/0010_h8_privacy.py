# Reserved for helper H8 of the 2026-12-07 session; filled by its model changes.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("issues", "0009_h5_supervisor")]

    operations = []
