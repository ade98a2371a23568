"""Data migration: version 1 of every obligation template, from ``provisioning.seed``.

seed: 小区党组织服务承诺, 物业管理委员会服务承诺, 公示承诺制度 第一—四条,
联席会议议事规则 第三条, 评议监督考核制度 第三条, the deadline policies. The data is
read from ``provisioning/seed.py`` on purpose: it is the one place of the seed's
numbers. Later changes are new versions written by the template service.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from provisioning.templates import templates_load

    templates_load(apps.get_model("provisioning", "ObligationTemplate"))


def backwards(apps, schema_editor):
    apps.get_model("provisioning", "ObligationTemplate").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("provisioning", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
