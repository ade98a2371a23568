"""DRF serializers for the issues API.

The reporter's identity is a separate nested object that is ``null`` unless the
requesting person holds ``issues.view_reporter`` on the issue (the property
company and the PMC only when the reporter agreed to share it — seed:
协同联动 第二条 routes the complaint to them, not the complainant; voice-only
members never, docs/roles.md "Complaints: who sees what").
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from huashan.directory.models import Organization
from issues import services
from issues.models import Category, Issue, Whistle
from issues.services.whistles import STREET_WHISTLE_WAY


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ("code", "name", "description", "safety_related")


class OrganizationBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ("id", "kind", "name")


class ReporterSerializer(serializers.Serializer):
    person_id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    phone = serializers.CharField()
    share_identity = serializers.BooleanField()
    hotline_number = serializers.CharField()


def reporter_data(issue: Issue) -> dict:
    person = issue.reporter
    return {
        "person_id": issue.reporter_id,
        "name": issue.reporter_name or (person.name if person else ""),
        "phone": issue.reporter_phone or (person.mobile if person else ""),
        "share_identity": issue.share_identity,
        "hotline_number": issue.hotline_number,
    }


class IssueSerializer(serializers.ModelSerializer):
    compound = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    building = serializers.CharField(source="building.number", read_only=True, allow_null=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    tier_display = serializers.CharField(source="get_tier_display", read_only=True)
    assigned_org = OrganizationBriefSerializer(read_only=True, allow_null=True)
    merged_into = serializers.SlugRelatedField(
        slug_field="tracking_number", read_only=True, allow_null=True
    )
    is_open = serializers.BooleanField(read_only=True)
    reporter = serializers.SerializerMethodField()

    class Meta:
        model = Issue
        fields = (
            "tracking_number",
            "compound",
            "category",
            "category_name",
            "building",
            "unit",
            "location_text",
            "description",
            "is_public",
            "is_hazard",
            "is_complex",
            "tier",
            "tier_display",
            "status",
            "status_display",
            "is_open",
            "assigned_org",
            "merged_into",
            "consultation_result",
            "public_explanation",
            "created_at",
            "accepted_at",
            "resolved_at",
            "closed_at",
            "paused_at",
            "last_public_update_at",
            "response_due",
            "feedback_due",
            "plan_due",
            "hazard_due",
            "next_deadline",
            "reporter",
        )
        read_only_fields = fields

    @extend_schema_field(ReporterSerializer(allow_null=True))
    def get_reporter(self, issue: Issue) -> dict | None:
        """The reporter only for who may see it (``issues.view_reporter``); a list from
        ``issue_visible_to(..., reporter_flag=True)`` carries the answer per row."""
        visible = getattr(issue, "reporter_visible", None)
        if visible is None:
            request = self.context.get("request")
            user = getattr(request, "user", None)
            visible = user is not None and user.has_perm("issues.view_reporter", issue)
        return reporter_data(issue) if visible else None


# --- action inputs ----------------------------------------------------------------

NOTE_MAX = services.NOTE_MAX


class NoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX, default="")


class TransferInputSerializer(serializers.Serializer):
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX, default="")


class ProgressInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=NOTE_MAX)
    public = serializers.BooleanField(required=False, default=True)


class ExplanationInputSerializer(serializers.Serializer):
    explanation = serializers.CharField(max_length=NOTE_MAX)


#: At most this many organizations / people summoned by one whistle through the API.
SUMMONS_MAX = 50


class TierInputSerializer(serializers.Serializer):
    """三事分流: the new tier and why (seed: 协同联动 第一条—第五条)."""

    tier = serializers.ChoiceField(choices=Issue.Tier.choices)
    reason = serializers.CharField(max_length=NOTE_MAX)


class HazardInputSerializer(serializers.Serializer):
    """Set (true) or withdraw (false) the safety-hazard flag (小区党组织服务承诺 第7条)."""

    is_hazard = serializers.BooleanField()
    #: 重大隐患: reported at once to the community party organization and the street.
    major = serializers.BooleanField(required=False, default=False)
    reason = serializers.CharField(max_length=NOTE_MAX)


class WhistleInputSerializer(serializers.Serializer):
    """社区吹哨、党员报到 / 街道吹哨、部门报到 (协同联动 第三条, 第四条).

    ``organizations`` and ``persons`` are ids; the people must be party members
    of the compound (the same candidates as the staff page offers).
    """

    #: Only the community whistle is blown here: the street whistle comes from the
    #: community party organization's request to the street (协同联动 第四条).
    level = serializers.ChoiceField(choices=[Whistle.Level.COMMUNITY.value])
    organizations = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        max_length=SUMMONS_MAX,
        required=False,
        default=list,
    )
    persons = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        max_length=SUMMONS_MAX,
        required=False,
        default=list,
    )
    reason = serializers.CharField(max_length=NOTE_MAX)
    report_due = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Report-in deadline; default: the compound's response time.",
    )

    def to_internal_value(self, data):
        if isinstance(data, dict) and data.get("level") == Whistle.Level.STREET:
            raise serializers.ValidationError(
                {"level": [ErrorDetail(str(STREET_WHISTLE_WAY), code="street_via_referral")]}
            )
        return super().to_internal_value(data)


class SupervisionInputSerializer(serializers.Serializer):
    """督办: who must act, by when, and what (协同联动 第二条)."""

    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    due = serializers.DateTimeField()
    instruction = serializers.CharField(max_length=NOTE_MAX)


class ReferralAcknowledgeInputSerializer(serializers.Serializer):
    """签收: the id of one of the issue's referrals to the caller's organization."""

    referral = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class ErrorSerializer(serializers.Serializer):
    """``{"detail": "…"}`` for 403 / 404 / 429."""

    detail = serializers.CharField()


class FieldErrorsSerializer(serializers.Serializer):
    """``{"<field>": ["message", …], "non_field_errors": [...]}`` for 400."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


# --- rates ------------------------------------------------------------------------


#: The months the three rates answer for: ``0000-01`` or ``9999-12`` would overflow the
#: calendar (issue 14 item 8: it was a 500), and no complaint predates the portal.
RATES_YEARS = (2000, 2099)


class RatesQuerySerializer(serializers.Serializer):
    compound = serializers.SlugField(max_length=50)
    month = serializers.RegexField(
        r"^\d{4}-(0[1-9]|1[0-2])$",
        max_length=7,
        help_text=f"YYYY-MM, {RATES_YEARS[0]}-01 … {RATES_YEARS[1]}-12",
        error_messages={"invalid": _("Enter a month as YYYY-MM, e.g. 2026-03.")},
    )

    def validate_month(self, value: str) -> str:
        first, last = RATES_YEARS
        if not first <= int(value[:4]) <= last:
            raise serializers.ValidationError(
                _("Enter a month from %(first)s-01 to %(last)s-12.")
                % {"first": first, "last": last},
                code="out_of_range",
            )
        return value


class RatesSerializer(serializers.Serializer):
    compound = serializers.CharField()
    month = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    total = serializers.IntegerField()
    responded_in_time = serializers.IntegerField()
    rated = serializers.IntegerField()
    solved = serializers.IntegerField()
    satisfied_or_basic = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True)
    resolution_rate = serializers.FloatField(allow_null=True)
    satisfaction_rate = serializers.FloatField(allow_null=True)
    formulas = serializers.DictField(child=serializers.CharField())
    note = serializers.CharField()
