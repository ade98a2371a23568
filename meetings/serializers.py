"""DRF serializers of the meetings API: read shapes for the models and input shapes
for the writes (which always go through ``meetings/services/``)."""

from __future__ import annotations

from rest_framework import serializers

# The shared error and organization shapes (one OpenAPI component each).
from issues.serializers import (  # noqa: F401 - re-exported for meetings.api
    ErrorSerializer,
    FieldErrorsSerializer,
    OrganizationBriefSerializer,
)

from .models import (
    ActionItem,
    ActionItemUpdate,
    AgendaTopic,
    DecisionReport,
    DecisionReportRecipient,
    EarlyIntervention,
    Meeting,
    MotionVote,
    OwnersAssemblyMotion,
)

TITLE_MAX = 200
TEXT_MAX = 20000
REASON_MAX = 2000


class MeetingSerializer(serializers.ModelSerializer):
    compound = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    chair = serializers.CharField(source="chair.name", read_only=True, allow_null=True)
    document_number = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = (
            "id",
            "compound",
            "kind",
            "kind_display",
            "title",
            "place",
            "start",
            "end",
            "status",
            "status_display",
            "is_ad_hoc",
            "ad_hoc_reason",
            "chair",
            "summary_public",
            "recorded_afterwards",
            "record_reason",
            "document_number",
            "held_at",
            "created_at",
        )
        read_only_fields = fields

    def get_document_number(self, obj: Meeting) -> str | None:
        notice = getattr(obj, "notice", None) if hasattr(obj, "notice") else None
        return notice.document_number if notice else None


class MeetingInputSerializer(serializers.Serializer):
    compound = serializers.SlugField(max_length=50)
    kind = serializers.ChoiceField(choices=Meeting.Kind.choices)
    title = serializers.CharField(max_length=TITLE_MAX)
    place = serializers.CharField(max_length=200)
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    is_ad_hoc = serializers.BooleanField(default=False)
    ad_hoc_reason = serializers.CharField(
        max_length=REASON_MAX, required=False, allow_blank=True, default=""
    )
    summary_public = serializers.BooleanField(default=False)
    #: 补录: a meeting already held, entered afterwards with the reason (issue 13 item 3).
    recorded_afterwards = serializers.BooleanField(default=False)
    record_reason = serializers.CharField(
        max_length=REASON_MAX, required=False, allow_blank=True, default=""
    )


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX)


class ItemNoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=REASON_MAX, required=False, allow_blank=True, default=""
    )


class TopicSerializer(serializers.ModelSerializer):
    issue = serializers.SlugRelatedField(
        slug_field="tracking_number", read_only=True, allow_null=True
    )
    proposer_organization = OrganizationBriefSerializer(read_only=True, allow_null=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = AgendaTopic
        fields = (
            "id",
            "meeting",
            "title",
            "description",
            "source",
            "status",
            "status_display",
            "decision_reason",
            "merged_into",
            "order",
            "issue",
            "action_item",
            "proposer_organization",
            "created_at",
        )
        read_only_fields = fields


class TopicInputSerializer(serializers.Serializer):
    meeting = serializers.IntegerField(min_value=1)
    title = serializers.CharField(max_length=TITLE_MAX)
    description = serializers.CharField(
        max_length=TEXT_MAX, required=False, allow_blank=True, default=""
    )


class TopicDecisionInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=("accept", "merge", "defer", "reject"))
    reason = serializers.CharField(
        max_length=REASON_MAX, required=False, allow_blank=True, default=""
    )
    into = serializers.IntegerField(min_value=1, required=False)


class ActionItemUpdateSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.name", read_only=True, allow_null=True)

    class Meta:
        model = ActionItemUpdate
        fields = ("id", "author", "note", "evidence_text", "is_completion", "created_at")
        read_only_fields = fields


class ActionItemSerializer(serializers.ModelSerializer):
    responsible_organization = OrganizationBriefSerializer(read_only=True)
    raised_by = OrganizationBriefSerializer(read_only=True, allow_null=True)
    responsible_person = serializers.CharField(
        source="responsible_person.name", read_only=True, allow_null=True
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = ActionItem
        fields = (
            "id",
            "meeting",
            "topic",
            "title",
            "description",
            "responsible_organization",
            "responsible_person",
            "raised_by",
            "due_date",
            "due_at",
            "status",
            "status_display",
            "is_overdue",
            "completed_at",
            "accepted_at",
            "created_at",
        )
        read_only_fields = fields


class ActionItemInputSerializer(serializers.Serializer):
    meeting = serializers.IntegerField(min_value=1)
    title = serializers.CharField(max_length=TITLE_MAX)
    description = serializers.CharField(
        max_length=TEXT_MAX, required=False, allow_blank=True, default=""
    )
    responsible_organization = serializers.IntegerField(min_value=1)
    due_date = serializers.DateField()


class EvidenceInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000)
    evidence_text = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default=""
    )


class RecipientSerializer(serializers.ModelSerializer):
    organization = OrganizationBriefSerializer(read_only=True)

    class Meta:
        model = DecisionReportRecipient
        fields = ("id", "organization", "acknowledged_at", "answer", "answered_at")
        read_only_fields = fields


class InterventionSerializer(serializers.ModelSerializer):
    organization = OrganizationBriefSerializer(read_only=True)
    # Blank until the invited body answers: the schema must admit "" (a read-only model
    # field drops allow_blank, and the published enum would then refuse an unanswered row).
    answer = serializers.ChoiceField(
        choices=EarlyIntervention.Answer.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = EarlyIntervention
        fields = (
            "id",
            "organization",
            "invited_at",
            "note",
            "responded_at",
            "answer",
            "response",
            "resolved_at",
            "resolution",
        )
        read_only_fields = fields


class DecisionReportSerializer(serializers.ModelSerializer):
    compound = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organization = OrganizationBriefSerializer(read_only=True)
    recipients = RecipientSerializer(many=True, read_only=True)
    interventions = InterventionSerializer(many=True, read_only=True)
    needs_early_intervention = serializers.BooleanField(read_only=True)

    class Meta:
        model = DecisionReport
        fields = (
            "id",
            "compound",
            "organization",
            "matter",
            "title",
            "body",
            "form",
            "amount",
            "status",
            "needs_early_intervention",
            "filed_at",
            "proceed_at",
            "recipients",
            "interventions",
            "created_at",
        )
        read_only_fields = fields


class DecisionReportInputSerializer(serializers.Serializer):
    compound = serializers.SlugField(max_length=50)
    matter = serializers.ChoiceField(choices=DecisionReport.Matter.choices)
    title = serializers.CharField(max_length=TITLE_MAX)
    body = serializers.CharField(max_length=TEXT_MAX)
    form = serializers.ChoiceField(choices=DecisionReport.Form.choices, default="written")
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )


class AnswerInputSerializer(serializers.Serializer):
    organization = serializers.IntegerField(min_value=1)
    answer = serializers.CharField(
        max_length=TEXT_MAX, required=False, allow_blank=True, default=""
    )


class MotionSerializer(serializers.ModelSerializer):
    compound = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    stage_display = serializers.CharField(source="get_stage_display", read_only=True)

    class Meta:
        model = OwnersAssemblyMotion
        fields = (
            "id",
            "compound",
            "title",
            "body",
            "matter",
            "stage",
            "stage_display",
            "working_group",
            "vote_opens_at",
            "vote_closes_at",
            "total_area",
            "total_owners",
            "total_units",
            "amount",
            "decision_report",
            "passed",
            "tally",
            "decision_text",
            "decided_at",
            "result_text",
            "result_published_at",
            "decision_disclosure_id",
            "result_disclosure_id",
            "created_at",
        )
        read_only_fields = fields


class MotionInputSerializer(serializers.Serializer):
    compound = serializers.SlugField(max_length=50)
    title = serializers.CharField(max_length=TITLE_MAX)
    body = serializers.CharField(max_length=TEXT_MAX)
    matter = serializers.ChoiceField(choices=OwnersAssemblyMotion.Matter.choices)
    working_group = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )


class VoteInputSerializer(serializers.Serializer):
    household = serializers.IntegerField(min_value=1)
    choice = serializers.ChoiceField(choices=MotionVote.Choice.choices)


class VoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = MotionVote
        fields = (
            "id",
            "household",
            "choice",
            "area",
            "cast_at",
            "channel",
            "receipt",
            "confirmed_at",
        )
        read_only_fields = fields


class TallySerializer(serializers.Serializer):
    matter = serializers.CharField()
    total_area = serializers.DecimalField(max_digits=14, decimal_places=2)
    total_owners = serializers.IntegerField()
    participating_area = serializers.DecimalField(max_digits=14, decimal_places=2)
    participating_owners = serializers.IntegerField()
    yes_area = serializers.DecimalField(max_digits=14, decimal_places=2)
    yes_owners = serializers.IntegerField()
    no_area = serializers.DecimalField(max_digits=14, decimal_places=2)
    no_owners = serializers.IntegerField()
    abstain_area = serializers.DecimalField(max_digits=14, decimal_places=2)
    abstain_owners = serializers.IntegerField()
    participation_area_met = serializers.BooleanField()
    participation_owners_met = serializers.BooleanField()
    approval_area_met = serializers.BooleanField()
    approval_owners_met = serializers.BooleanField()
    passed = serializers.BooleanField()
    citation = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())
    participating_units = serializers.IntegerField()
    headcount_basis = serializers.CharField()
