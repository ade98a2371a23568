# The publisher's note on a ledger that does not continue the previous period
# or ends negative (issue 19).
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("disclosures", "0003_public_revenue_audit_category")]

    operations = [
        migrations.AddField(
            model_name="ledger",
            name="check_note",
            field=models.TextField(
                blank=True, default="", verbose_name="publisher's note on the ledger"
            ),
        ),
    ]
