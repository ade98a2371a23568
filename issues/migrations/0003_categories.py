"""The eleven complaint categories of issue 3 (editable in admin afterwards).

Codes double as Open311 ``service_code``. Elevator and fire safety are
safety-related: new issues in them are flagged as hazards by default
(seed: 小区党组织服务承诺 第7条 — 消防、电梯 hazards fixed within 3 days).
"""

from django.db import migrations

CATEGORIES = [
    # code, name, description, safety_related
    ("environment", "环境卫生", "保洁、垃圾清运、楼道堆物、卫生死角", False),
    ("greening", "绿化", "绿化养护、树木修剪、草坪损毁", False),
    ("security", "治安", "门禁、监控、巡逻、外来人员", False),
    ("parking", "停车", "车位、乱停车、充电桩、道闸", False),
    ("elevator", "电梯", "电梯故障、困人、维保", True),
    ("fire_safety", "消防", "消防通道、消防设施、电动车充电", True),
    ("water_power", "水电", "停水停电、管道漏水、公共照明", False),
    ("noise", "噪音", "施工噪音、生活噪音、设备噪音", False),
    ("renovation", "装修", "违规装修、装修垃圾、结构变动", False),
    ("fees_revenue", "收费与公共收益", "物业费、公摊水电、公共收益、维修资金", False),
    ("other", "其他", "以上都不是", False),
]


def create_categories(apps, schema_editor):
    Category = apps.get_model("issues", "Category")
    for order, (code, name, description, safety) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "safety_related": safety,
                "sort_order": order * 10,
                "active": True,
            },
        )


def remove_categories(apps, schema_editor):
    Category = apps.get_model("issues", "Category")
    # Only categories no issue uses: a reverse migration never destroys complaints.
    Category.objects.filter(code__in=[c[0] for c in CATEGORIES], issues__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("issues", "0002_trigram")]

    operations = [migrations.RunPython(create_categories, remove_categories)]
