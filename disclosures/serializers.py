"""DRF serializers for the disclosures API.

Output is what the public board shows: objectors are masked (PIPL), the body
is the sanitized HTML next to its Markdown source. Inputs only check shape;
the ``disclosures/services/`` package checks the rules.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from huashan.directory.models import Compound, Organization

from .models import (
    Category,
    Channel,
    Disclosure,
    DisclosureAttachment,
    Ledger,
    LedgerLine,
    PeriodType,
)
from .sanitize import BODY_MAX_CHARS
from .services import (
    ANSWER_MAX_CHARS,
    OBJECTION_MAX_CHARS,
    TITLE_MAX,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class DisclosureCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = (
            "code",
            "name",
            "description",
            "seed_article",
            "min_posting_days",
            "long_term",
            "has_ledger",
        )


class PublisherSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ("id", "kind", "name")


class DisclosureSerializer(serializers.ModelSerializer):
    """A disclosure in lists (no body, no ledger lines)."""

    compound = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organization = PublisherSerializer(read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Disclosure
        fields = (
            "id",
            "compound",
            "organization",
            "category",
            "category_name",
            "title",
            "period_type",
            "period_start",
            "period_end",
            "posting_start",
            "posting_end",
            "long_term",
            "channels",
            "state",
            "state_display",
            "version",
            "previous",
            "published_at",
            "page_url",
        )
        read_only_fields = fields

    def get_page_url(self, disclosure: Disclosure) -> str:
        return reverse("disclosures:detail", args=[disclosure.pk])


class DisclosureAttachmentSerializer(serializers.ModelSerializer):
    # A plain string: an enum named "kind" would collide with Organization.kind in the schema.
    kind = serializers.CharField(read_only=True, help_text="pdf or image")
    url = serializers.SerializerMethodField()

    class Meta:
        model = DisclosureAttachment
        fields = ("id", "original_name", "kind", "content_type", "size", "url")
        read_only_fields = fields

    def get_url(self, attachment: DisclosureAttachment) -> str:
        return reverse("disclosures:attachment", args=[attachment.pk])


class LedgerLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = LedgerLine
        fields = ("line_no", "date", "item", "counterparty", "amount", "direction", "category")
        read_only_fields = fields


class LedgerSerializer(serializers.ModelSerializer):
    lines = LedgerLineSerializer(many=True, read_only=True)

    class Meta:
        model = Ledger
        fields = (
            "opening_balance",
            "income_total",
            "expense_total",
            "closing_balance",
            "stated_income",
            "stated_expense",
            "stated_closing_balance",
            "line_count",
            "lines",
        )
        read_only_fields = fields


class PublicObjectionSerializer(serializers.Serializer):
    """An objection as the public sees it (objector masked: 张**)."""

    id = serializers.IntegerField(source="pk")
    objector = serializers.CharField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    answer_due = serializers.DateTimeField()
    state = serializers.CharField()
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField()
    disclosure_version = serializers.IntegerField()


class DisclosureVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Disclosure
        fields = ("id", "version", "state", "published_at", "correction_reason")
        read_only_fields = fields


class BlankAsNullURLField(serializers.URLField):
    """A stored blank link is ``null`` in the API, so the OpenAPI ``format: uri`` holds."""

    def to_representation(self, value):
        return value or None


class DisclosureDetailSerializer(DisclosureSerializer):
    """One disclosure with its text, attachments, ledger, versions and objections.

    The view puts ``versions`` and ``objections`` (from the selectors) in the context.
    """

    attachments = DisclosureAttachmentSerializer(many=True, read_only=True)
    ledger = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()
    objections = serializers.SerializerMethodField()
    source_url = BlankAsNullURLField(read_only=True, allow_null=True)

    class Meta(DisclosureSerializer.Meta):
        fields = (
            *DisclosureSerializer.Meta.fields,
            "body_markdown",
            "body_html",
            "correction_reason",
            "source_url",
            "attachments",
            "ledger",
            "versions",
            "objections",
        )
        read_only_fields = fields

    @extend_schema_field(LedgerSerializer(allow_null=True))
    def get_ledger(self, disclosure: Disclosure) -> dict | None:
        try:
            ledger = disclosure.ledger
        except Ledger.DoesNotExist:
            return None
        return LedgerSerializer(ledger).data

    @extend_schema_field(DisclosureVersionSerializer(many=True))
    def get_versions(self, disclosure: Disclosure) -> list:
        return DisclosureVersionSerializer(self.context.get("versions", []), many=True).data

    @extend_schema_field(PublicObjectionSerializer(many=True))
    def get_objections(self, disclosure: Disclosure) -> list:
        return PublicObjectionSerializer(self.context.get("objections", []), many=True).data


# --- inputs ---------------------------------------------------------------------------


class DisclosureDraftInputSerializer(serializers.Serializer):
    """Create (all of it) or edit (PATCH: any of it) a draft."""

    compound = serializers.SlugRelatedField(slug_field="slug", queryset=Compound.objects.all())
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.all())
    title = serializers.CharField(max_length=TITLE_MAX)
    body_markdown = serializers.CharField(
        max_length=BODY_MAX_CHARS, required=False, allow_blank=True
    )
    period_type = serializers.ChoiceField(choices=PeriodType.choices, required=False)
    period_start = serializers.DateField(required=False, allow_null=True)
    period_end = serializers.DateField(required=False, allow_null=True)
    posting_start = serializers.DateField(required=False, allow_null=True)
    posting_end = serializers.DateField(required=False, allow_null=True)
    long_term = serializers.BooleanField(required=False, allow_null=True)
    channels = serializers.ListField(
        child=serializers.ChoiceField(choices=Channel.choices), required=False, max_length=10
    )
    source_url = serializers.URLField(max_length=200, required=False, allow_blank=True)


class DisclosureCorrectionInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=ANSWER_MAX_CHARS)
    title = serializers.CharField(max_length=TITLE_MAX, required=False)
    body_markdown = serializers.CharField(
        max_length=BODY_MAX_CHARS, required=False, allow_blank=True
    )
    posting_end = serializers.DateField(required=False, allow_null=True)
    long_term = serializers.BooleanField(required=False, allow_null=True)
    channels = serializers.ListField(
        child=serializers.ChoiceField(choices=Channel.choices), required=False, max_length=10
    )


class LedgerLineInputSerializer(serializers.Serializer):
    date = serializers.DateField()
    item = serializers.CharField(max_length=200)
    counterparty = serializers.CharField(max_length=200, required=False, allow_blank=True)
    amount = serializers.DecimalField(**MONEY)
    direction = serializers.ChoiceField(choices=LedgerLine.Direction.choices)
    category = serializers.CharField(max_length=100, required=False, allow_blank=True)


class LedgerInputSerializer(serializers.Serializer):
    """A ledger as JSON (all lines or none; totals are checked against the lines)."""

    opening_balance = serializers.DecimalField(**MONEY)
    stated_income = serializers.DecimalField(**MONEY)
    stated_expense = serializers.DecimalField(**MONEY)
    stated_closing_balance = serializers.DecimalField(**MONEY)
    lines = LedgerLineInputSerializer(many=True, max_length=20_000)


class DisclosureAttachmentInputSerializer(serializers.Serializer):
    file = serializers.FileField()


class ObjectionInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=OBJECTION_MAX_CHARS)


class ObjectionAnswerInputSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=ANSWER_MAX_CHARS)


class ObjectionResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.CharField()
    answer_due = serializers.DateTimeField()
    answer = serializers.CharField()


class ComplianceQuerySerializer(serializers.Serializer):
    compound = serializers.SlugField(max_length=50)
    period = serializers.CharField(max_length=10, help_text="2026, 2026H1, 2026Q3 or 2026-07")
    organization = serializers.IntegerField(required=False)


class ComplianceRowSerializer(serializers.Serializer):
    organization = PublisherSerializer()
    category = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.name")
    cadence = serializers.CharField(source="schedule.cadence")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    due = serializers.DateField()
    status = serializers.ChoiceField(choices=["on_time", "late", "missing", "not_due"])
    published_on = serializers.DateField(allow_null=True)
    disclosure = serializers.SerializerMethodField()

    def get_disclosure(self, row) -> int | None:
        """Id of the current version published for the period, if any."""
        return row.disclosure.pk if row.disclosure is not None else None


class DisclosureErrorSerializer(serializers.Serializer):
    """``{"detail": "…"}`` for 403 / 404."""

    detail = serializers.CharField()


class LedgerRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    field = serializers.CharField()
    message = serializers.CharField()


class DisclosureFieldErrorsSerializer(serializers.Serializer):
    """``{"<field>": ["message", …], "non_field_errors": [...], "rows": [...]}`` for 400.

    ``rows`` lists every row problem of a refused ledger (nothing was saved).
    """

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)
    rows = LedgerRowErrorSerializer(many=True, required=False)


class ResolutionQuerySerializer(serializers.Serializer):
    compound = serializers.SlugField(max_length=50)
    period = serializers.CharField(
        max_length=10, required=False, help_text="A half-year, 2026H1 or 2026H2 (default: now)"
    )


class ResolutionReportSerializer(serializers.Serializer):
    """One recorded report: how the resolution stands in a half-year (物管会服务承诺 1)."""

    period = serializers.CharField()
    period_label = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    reason = serializers.CharField()
    plan = serializers.CharField()
    plan_due = serializers.DateField(allow_null=True)
    recorded_at = serializers.DateTimeField()


class ResolutionRowSerializer(serializers.Serializer):
    """A passed resolution of the owners' assembly with this half-year's report (``report``,
    null while missing) and the last earlier one (``last_report``)."""

    resolution = serializers.IntegerField(source="motion.pk")
    title = serializers.CharField(source="motion.title")
    decided_at = serializers.DateTimeField(source="motion.decided_at")
    missing = serializers.BooleanField()
    report = ResolutionReportSerializer(source="followup", allow_null=True)
    last_report = ResolutionReportSerializer(source="last", allow_null=True)
