# Reserved for helper H3 of the 2026-12-07 session; filled by its model changes.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("issues", "0006_h2_clocks")]

    operations = []
