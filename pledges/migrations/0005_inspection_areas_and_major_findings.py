"""Inspection areas become fixed choices; a finding can be a major safety hazard.

seed: 小区党组织服务承诺 第7条 ("消防、电梯等设施的全面排查", "重大隐患即时上报").

The data step reads the free-text areas recorded so far: known words become their
area (消防 → fire, 电梯 → elevator, …); anything else becomes "other" with its text
kept in ``areas_other``. The word list is copied here on purpose (a migration does
not import the services it predates); it matches ``pledges/services/safety.py``.
"""

from django.db import migrations, models

ORDER = ("fire", "elevator", "water_power", "gas", "stairwells", "other")
WORDS = (
    ("fire", ("消防", "灭火", "烟感", "喷淋", "fire")),
    ("elevator", ("电梯", "elevator", "lift")),
    ("water_power", ("供水", "供电", "水电", "配电", "水泵", "二次供水")),
    ("gas", ("燃气", "煤气", "天然气", "gas")),
    ("stairwells", ("楼道", "通道", "安全出口", "疏散", "stair")),
)


def read_areas(areas):
    """(codes in fixed order, text of the other areas) of a free-text area list."""
    codes, others = set(), []
    for raw in areas or ():
        text = str(raw).strip()[:40]
        if not text:
            continue
        if text in ORDER and text != "other":
            codes.add(text)
            continue
        matched = [code for code, words in WORDS if any(w in text.lower() for w in words)]
        if matched:
            codes.update(matched)
        else:
            others.append(text)
    other = "、".join(others)[:200]
    if other:
        codes.add("other")
    return [code for code in ORDER if code in codes], other


def forwards(apps, schema_editor):
    Inspection = apps.get_model("pledges", "Inspection")
    for inspection in Inspection.objects.exclude(areas=[]).iterator():
        codes, other = read_areas(inspection.areas)
        if (codes, other) != (inspection.areas, inspection.areas_other):
            inspection.areas, inspection.areas_other = codes, other
            inspection.save(update_fields=["areas", "areas_other"])


def backwards(apps, schema_editor):
    """Back to words: each area's Chinese name, "other" as its text."""
    names = {
        "fire": "消防设施",
        "elevator": "电梯",
        "water_power": "供水供电",
        "gas": "燃气",
        "stairwells": "楼道与安全出口",
    }
    Inspection = apps.get_model("pledges", "Inspection")
    for inspection in Inspection.objects.exclude(areas=[]).iterator():
        words = [names[c] for c in inspection.areas if c in names]
        if inspection.areas_other:
            words += inspection.areas_other.split("、")
        inspection.areas = words
        inspection.save(update_fields=["areas"])


class Migration(migrations.Migration):
    dependencies = [("pledges", "0004_alarm_stage_shared_vocabulary")]

    operations = [
        migrations.AddField(
            model_name="finding",
            name="major",
            field=models.BooleanField(default=False, verbose_name="major safety hazard"),
        ),
        migrations.AddField(
            model_name="inspection",
            name="areas_other",
            field=models.CharField(blank=True, max_length=200, verbose_name="other areas checked"),
        ),
        migrations.AlterField(
            model_name="inspection",
            name="areas",
            field=models.JSONField(blank=True, default=list, verbose_name="areas checked"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
