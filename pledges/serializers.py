"""DRF serializers for the pledges API.

Public serializers carry no personal data: activities show a participant
count, inspections their findings, never names or phone numbers.
Accountability cases (staff only) name the member concerned.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from issues.serializers import (  # shared components: one name each in the schema
    ErrorSerializer,
    FieldErrorsSerializer,
    OrganizationBriefSerializer,
)

from . import services
from .models import (
    AccountabilityCase,
    Activity,
    Finding,
    Inspection,
    PeriodResult,
    PledgeEvent,
    PledgeItem,
    PledgeLetter,
    ResultStatus,
)

SEVERITY = {
    ResultStatus.MISSED: 0,
    ResultStatus.AT_RISK: 1,
    ResultStatus.NOT_YET_DUE: 2,
    ResultStatus.ON_TRACK: 3,
    ResultStatus.ATTESTED: 4,
    ResultStatus.MET: 5,
}


def current_result(item: PledgeItem, on: dt.date | None = None) -> PeriodResult | None:
    """The worst current result of an item's measures (prefetched ``results``)."""
    on = on or min(timezone.localdate(), dt.date(item.letter.year, 12, 31))
    by_measure: dict[int, list[PeriodResult]] = {}
    for row in item.results.all():
        by_measure.setdefault(row.measure, []).append(row)
    current = []
    for rows in by_measure.values():
        rows.sort(key=lambda r: r.period_start)
        containing = [r for r in rows if r.period_start <= on <= r.period_end]
        current.append(containing[-1] if containing else rows[-1])
    if not current:
        return None
    return min(current, key=lambda r: SEVERITY.get(r.status, 9))


def _choice_schema(values) -> dict:
    """A string limited by a pattern, not an ``enum``: spectacular would name every enum of a
    field called ``kind`` "KindEnum" and collide with the organization kinds (and fail
    ``--fail-on-warn``) unless settings carry ``ENUM_NAME_OVERRIDES``."""
    return {
        "type": "string",
        "pattern": "^(" + "|".join(values) + ")$",
        "description": ", ".join(values),
    }


@extend_schema_field(_choice_schema(Activity.Kind.values))
class ActivityKindField(serializers.ChoiceField):
    """``kind`` of an activity (see :func:`_choice_schema`)."""

    def __init__(self, **kwargs):
        super().__init__(choices=Activity.Kind.choices, **kwargs)


@extend_schema_field(_choice_schema(Inspection.Kind.values))
class InspectionKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Inspection.Kind.choices, **kwargs)


class PeriodResultSerializer(serializers.ModelSerializer):
    item = serializers.PrimaryKeyRelatedField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    summary = serializers.CharField(read_only=True)
    figures = serializers.JSONField(read_only=True)
    evidence = serializers.JSONField(read_only=True)

    class Meta:
        model = PeriodResult
        fields = (
            "id",
            "item",
            "measure",
            "label",
            "period_start",
            "period_end",
            "status",
            "status_display",
            "summary",
            "figures",
            "evidence",
            "final",
            "computed_at",
        )
        read_only_fields = fields


class PledgeItemSerializer(serializers.ModelSerializer):
    letter = serializers.PrimaryKeyRelatedField(read_only=True)
    rule_kind_display = serializers.CharField(source="get_rule_kind_display", read_only=True)
    params = serializers.JSONField(read_only=True)
    current = serializers.SerializerMethodField()

    class Meta:
        model = PledgeItem
        fields = (
            "id",
            "letter",
            "number",
            "section",
            "heading",
            "text",
            "rule_kind",
            "rule_kind_display",
            "params",
            "active",
            "current",
        )
        read_only_fields = fields

    @extend_schema_field(PeriodResultSerializer(allow_null=True))
    def get_current(self, item: PledgeItem) -> dict | None:
        result = current_result(item)
        return PeriodResultSerializer(result).data if result is not None else None


class PledgeLetterSerializer(serializers.ModelSerializer):
    compound = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organization = OrganizationBriefSerializer(read_only=True)
    items = PledgeItemSerializer(many=True, read_only=True)

    class Meta:
        model = PledgeLetter
        fields = (
            "id",
            "compound",
            "organization",
            "year",
            "title",
            "letterhead",
            "preamble",
            "closing",
            "published_at",
            "items",
        )
        read_only_fields = fields


class ActivitySerializer(serializers.ModelSerializer):
    """Public summary: no participant names."""

    compound = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organization = OrganizationBriefSerializer(read_only=True)
    kind = ActivityKindField(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    photo_count = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = (
            "id",
            "compound",
            "organization",
            "kind",
            "kind_display",
            "title",
            "held_on",
            "description",
            "participant_count",
            "photo_count",
        )
        read_only_fields = fields

    def get_photo_count(self, activity: Activity) -> int:
        return len(activity.photos.all())


class ActivityInputSerializer(serializers.Serializer):
    compound = serializers.SlugField(max_length=50)
    organization = serializers.IntegerField(min_value=1)
    kind = ActivityKindField()
    title = serializers.CharField(max_length=services.TITLE_MAX)
    held_on = serializers.DateField()
    description = serializers.CharField(
        max_length=services.TEXT_MAX, required=False, allow_blank=True, default=""
    )
    participant_count = serializers.IntegerField(
        min_value=0, max_value=100000, required=False, default=0
    )


class FindingSerializer(serializers.ModelSerializer):
    is_fixed = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = (
            "id",
            "inspection",
            "description",
            "is_safety",
            "major",
            "rectify_due",
            "fixed_at",
            "fix_proof",
            "is_fixed",
            "escalated_at",
        )
        read_only_fields = fields

    def get_is_fixed(self, finding: Finding) -> bool:
        return finding.fixed_at is not None


class InspectionSerializer(serializers.ModelSerializer):
    """Public summary: who conducted it (the organization), not the people."""

    compound = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organization = OrganizationBriefSerializer(read_only=True)
    kind = InspectionKindField(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    areas = serializers.ListField(child=serializers.CharField(), read_only=True)
    area_labels = serializers.ListField(child=serializers.CharField(), read_only=True)
    findings = FindingSerializer(many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = (
            "id",
            "compound",
            "organization",
            "kind",
            "kind_display",
            "inspected_on",
            "areas",
            "area_labels",
            "areas_other",
            "summary",
            "findings",
        )
        read_only_fields = fields


class FindingInputSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=1000)
    is_safety = serializers.BooleanField(required=False, default=False)
    major = serializers.BooleanField(required=False, default=False)


class InspectionInputSerializer(serializers.Serializer):
    compound = serializers.SlugField(max_length=50)
    organization = serializers.IntegerField(min_value=1)
    kind = InspectionKindField()
    inspected_on = serializers.DateField()
    areas = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list, max_length=20
    )
    areas_other = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    summary = serializers.CharField(
        max_length=services.TEXT_MAX, required=False, allow_blank=True, default=""
    )
    inspector = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    owner_representatives = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=200
    )
    findings = FindingInputSerializer(many=True, required=False, default=list, max_length=50)


class FixInputSerializer(serializers.Serializer):
    proof = serializers.CharField(max_length=services.TEXT_MAX)


class CaseEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.name", read_only=True, allow_null=True)

    class Meta:
        model = PledgeEvent
        fields = ("at", "verb", "from_state", "to_state", "note", "actor")
        read_only_fields = fields


class AccountabilityCaseSerializer(serializers.ModelSerializer):
    compound = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organization = OrganizationBriefSerializer(read_only=True)
    person = serializers.CharField(source="person.name", read_only=True)
    trigger_display = serializers.CharField(source="get_trigger_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    figures = serializers.JSONField(read_only=True)

    class Meta:
        model = AccountabilityCase
        fields = (
            "id",
            "compound",
            "organization",
            "person",
            "trigger",
            "trigger_display",
            "details",
            "figures",
            "status",
            "status_display",
            "outcome",
            "reasons",
            "opened_at",
            "decided_at",
        )
        read_only_fields = fields


class CaseDecideInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=AccountabilityCase.Outcome.choices)
    reasons = serializers.CharField(max_length=services.TEXT_MAX)


__all__ = [
    "ErrorSerializer",
    "FieldErrorsSerializer",
]
