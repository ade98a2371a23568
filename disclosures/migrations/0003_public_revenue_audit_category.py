"""Data migration: the category of the annual audit of public revenue.

seed: 公示承诺制度 第二条 "并落实小区公共收益年度审计制度" — an obligation with a
yearly schedule (see ``provisioning/seed.py`` SCHEDULES). Inlined so it stays stable.
"""

from django.db import migrations

# code, name, seed article, min posting days, long-term, has ledger, sort order
CATEGORIES = [
    ("public_revenue_audit", "小区公共收益年度审计", "公示承诺制度 第二条", None, False, True, 95),
]


def forwards(apps, schema_editor):
    Category = apps.get_model("disclosures", "Category")
    for code, name, article, min_days, long_term, has_ledger, order in CATEGORIES:
        Category.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "seed_article": article,
                "min_posting_days": min_days,
                "long_term": long_term,
                "has_ledger": has_ledger,
                "sort_order": order,
            },
        )


def backwards(apps, schema_editor):
    Category = apps.get_model("disclosures", "Category")
    Category.objects.filter(code__in=[row[0] for row in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("disclosures", "0002_categories")]

    operations = [migrations.RunPython(forwards, backwards)]
