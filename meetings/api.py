"""DRF API of meetings, mounted at ``/api/meetings/`` (``app_name = "meetings_api"``).

Read: ``meetings/``, ``topics/``, ``action-items/``, ``decision-reports/``,
``motions/`` — logged-in staff only, scoped to the compounds their seats cover
(``person_staff_compounds``), filtered with ``meetings/filters.py``.
Write: POST to the collections and to the ``<id>/<action>/`` endpoints; every
write calls a service (``meetings/services/``), which checks the permission.
A service's ``ValidationError`` becomes 400 ``{field: [messages]}``, its
``PermissionDenied`` 403.

seed: 联席会议议事规则 第二—五条; 决策报告制度 第二、三条; 协同联动 第二、七条.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from huashan.directory.models import Household, Organization
from huashan.directory.selectors import compound_by_slug, person_staff_compounds

from . import services
from .filters import (
    ActionItemFilter,
    DecisionReportFilter,
    MeetingFilter,
    MotionFilter,
    TopicFilter,
)
from .models import ActionItem, AgendaTopic, DecisionReport, Meeting, OwnersAssemblyMotion
from .serializers import (
    ActionItemInputSerializer,
    ActionItemSerializer,
    AnswerInputSerializer,
    DecisionReportInputSerializer,
    DecisionReportSerializer,
    ErrorSerializer,
    EvidenceInputSerializer,
    FieldErrorsSerializer,
    ItemNoteInputSerializer,
    MeetingInputSerializer,
    MeetingSerializer,
    MotionInputSerializer,
    MotionSerializer,
    ReasonInputSerializer,
    TallySerializer,
    TopicDecisionInputSerializer,
    TopicInputSerializer,
    TopicSerializer,
    VoteInputSerializer,
    VoteSerializer,
)
from .services import motions as motion_services

app_name = "meetings_api"


def responses(ok) -> dict:
    return {
        200: ok,
        400: OpenApiResponse(FieldErrorsSerializer, description="Invalid input or state."),
        403: OpenApiResponse(ErrorSerializer, description="Not allowed."),
        404: OpenApiResponse(ErrorSerializer, description="Not found or not visible."),
    }


def created(ok) -> dict:
    out = responses(ok)
    out[201] = out.pop(200)
    return out


def not_found(field: str) -> ValidationError:
    """An unknown id in the input: raised, the API's exception handler answers 400
    ``{field: ["Not found."]}`` like every other refusal (huashan/core/api.py)."""
    return ValidationError({field: [_("Not found.")]})


class ScopedViewSet(viewsets.GenericViewSet):
    """Rows of the compounds the person's staff seats cover."""

    # a service's refusal without a message (huashan.core.api.exception_handler)
    permission_denied_detail = gettext_lazy("You may not do this.")
    permission_classes = (IsAuthenticated,)
    model: type
    related: tuple[str, ...] = ()

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        compounds = person_staff_compounds(person=self.request.user)
        return (
            self.model.objects.filter(compound__in=compounds)
            .select_related(*self.related)
            .order_by("-pk")
        )

    def staff_compound(self, slug: str):
        compound = compound_by_slug(slug=slug)
        if (
            compound is None
            or not person_staff_compounds(person=self.request.user).filter(pk=compound.pk).exists()
        ):
            return None
        return compound

    def visible(self, model, pk: int):
        """A related row (meeting, topic) the person may see, or None."""
        compounds = person_staff_compounds(person=self.request.user)
        return model.objects.filter(pk=pk, compound__in=compounds).first()


# --- meetings ----------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Meetings of my compounds", tags=["meetings"]),
    retrieve=extend_schema(summary="One meeting", tags=["meetings"]),
)
class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    model = Meeting
    related = ("compound", "chair", "notice")

    @extend_schema(
        summary="Schedule a meeting",
        request=MeetingInputSerializer,
        responses=created(MeetingSerializer),
        tags=["meetings"],
    )
    def create(self, request: Request) -> Response:
        data = MeetingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        compound = self.staff_compound(values.pop("compound"))
        if compound is None:
            raise not_found("compound")
        meeting = services.meeting_create(actor=request.user, compound=compound, **values)
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)

    def _step(self, request: Request, service: Callable, input_class=None) -> Response:
        meeting = self.get_object()
        kwargs: dict[str, Any] = {}
        if input_class is not None:
            data = input_class(data=request.data)
            data.is_valid(raise_exception=True)
            kwargs = dict(data.validated_data)
        service(actor=request.user, meeting=meeting, **kwargs)
        meeting = self.get_queryset().get(pk=meeting.pk)
        return Response(MeetingSerializer(meeting).data)

    @extend_schema(
        summary="Send the notice (会议通知)",
        request=None,
        responses=responses(MeetingSerializer),
        tags=["meetings"],
    )
    @action(detail=True, methods=["post"], url_path="send-notice")
    def send_notice(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, services.meeting_send_notice)

    @extend_schema(
        summary="Mark the meeting held",
        request=None,
        responses=responses(MeetingSerializer),
        tags=["meetings"],
    )
    @action(detail=True, methods=["post"])
    def held(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, services.meeting_mark_held)

    @extend_schema(
        summary="Cancel the meeting, with a reason",
        request=ReasonInputSerializer,
        responses=responses(MeetingSerializer),
        tags=["meetings"],
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, services.meeting_cancel, ReasonInputSerializer)


# --- topics ----------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Agenda topics", tags=["meetings"]),
    retrieve=extend_schema(summary="One agenda topic", tags=["meetings"]),
)
class TopicViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = TopicSerializer
    filterset_class = TopicFilter
    model = AgendaTopic
    related = ("issue", "proposer_organization")

    @extend_schema(
        summary="Propose a topic for a meeting",
        request=TopicInputSerializer,
        responses=created(TopicSerializer),
        tags=["meetings"],
    )
    def create(self, request: Request) -> Response:
        data = TopicInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        meeting = self.visible(Meeting, values.pop("meeting"))
        if meeting is None:
            raise not_found("meeting")
        topic = services.topic_propose(
            actor=request.user,
            compound=meeting.compound,
            meeting=meeting,
            **values,
        )
        return Response(TopicSerializer(topic).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Accept, merge, defer or reject (the office)",
        request=TopicDecisionInputSerializer,
        responses=responses(TopicSerializer),
        tags=["meetings"],
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        topic = self.get_object()
        data = TopicDecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = data.validated_data["decision"]
        reason = data.validated_data["reason"]
        common = {"actor": request.user, "topic": topic}
        if decision == "accept":
            result = services.topic_accept(**common)
        elif decision == "merge":
            into = self.visible(AgendaTopic, data.validated_data.get("into") or 0)
            if into is None:
                raise not_found("into")
            result = services.topic_merge(into=into, reason=reason, **common)
        elif decision == "defer":
            result = services.topic_defer(reason=reason, **common)
        else:
            result = services.topic_reject(reason=reason, **common)
        return Response(TopicSerializer(result).data)


# --- action items -------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Agreed items (议定事项)", tags=["meetings"]),
    retrieve=extend_schema(summary="One agreed item", tags=["meetings"]),
)
class ActionItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilter
    model = ActionItem
    related = ("responsible_organization", "responsible_person", "raised_by")

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().order_by("due_at", "pk")

    @extend_schema(
        summary="Record an agreed item of a held meeting",
        request=ActionItemInputSerializer,
        responses=created(ActionItemSerializer),
        tags=["meetings"],
    )
    def create(self, request: Request) -> Response:
        data = ActionItemInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        meeting = self.visible(Meeting, values.pop("meeting"))
        if meeting is None:
            raise not_found("meeting")
        organization = Organization.objects.filter(
            pk=values.pop("responsible_organization")
        ).first()
        if organization is None:
            raise not_found("responsible_organization")
        item = services.action_item_create(
            actor=request.user,
            meeting=meeting,
            responsible_organization=organization,
            **values,
        )
        item = self.get_queryset().get(pk=item.pk)
        return Response(ActionItemSerializer(item).data, status=status.HTTP_201_CREATED)

    def _step(self, request: Request, service: Callable, input_class) -> Response:
        item = self.get_object()
        data = input_class(data=request.data)
        data.is_valid(raise_exception=True)
        service(actor=request.user, item=item, **data.validated_data)
        return Response(ActionItemSerializer(self.get_queryset().get(pk=item.pk)).data)

    @extend_schema(
        summary="Post progress",
        request=EvidenceInputSerializer,
        responses=responses(ActionItemSerializer),
        tags=["meetings"],
    )
    @action(detail=True, methods=["post"])
    def progress(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, services.action_item_post_progress, EvidenceInputSerializer)

    @extend_schema(
        summary="Report it done, with evidence",
        request=EvidenceInputSerializer,
        responses=responses(ActionItemSerializer),
        tags=["meetings"],
    )
    @action(detail=True, methods=["post"])
    def done(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, services.action_item_submit_done, EvidenceInputSerializer)

    @extend_schema(
        summary="Accept the completion (验收)",
        request=ItemNoteInputSerializer,
        responses=responses(ActionItemSerializer),
        tags=["meetings"],
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, services.action_item_accept, ItemNoteInputSerializer)

    @extend_schema(
        summary="Send a completion back, with a reason",
        request=ReasonInputSerializer,
        responses=responses(ActionItemSerializer),
        tags=["meetings"],
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, services.action_item_reject_completion, ReasonInputSerializer)


# --- decision reports ------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Decision reports (决策报告)", tags=["meetings"]),
    retrieve=extend_schema(summary="One decision report", tags=["meetings"]),
)
class DecisionReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = DecisionReportSerializer
    filterset_class = DecisionReportFilter
    model = DecisionReport
    related = ("compound", "organization")

    def get_queryset(self) -> QuerySet:
        return (
            super()
            .get_queryset()
            .prefetch_related("recipients__organization", "interventions__organization")
        )

    @extend_schema(
        summary="Draft a decision report (PMC officers)",
        request=DecisionReportInputSerializer,
        responses=created(DecisionReportSerializer),
        tags=["meetings"],
    )
    def create(self, request: Request) -> Response:
        data = DecisionReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        compound = self.staff_compound(values.pop("compound"))
        if compound is None:
            raise not_found("compound")
        report = services.decision_report_create(actor=request.user, compound=compound, **values)
        report = self.get_queryset().get(pk=report.pk)
        return Response(DecisionReportSerializer(report).data, status=status.HTTP_201_CREATED)

    def _done(self, report) -> Response:
        return Response(DecisionReportSerializer(self.get_queryset().get(pk=report.pk)).data)

    @extend_schema(
        summary="Report in advance to the recipients",
        request=None,
        responses=responses(DecisionReportSerializer),
        tags=["meetings"],
    )
    @action(detail=True, methods=["post"], url_path="file")
    def file_report(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        services.decision_report_file(actor=request.user, report=report)
        return self._done(report)

    @extend_schema(
        summary="Invite the street and the community party org (协同联动 第七条)",
        request=ItemNoteInputSerializer,
        responses=responses(DecisionReportSerializer),
        tags=["meetings"],
    )
    @action(detail=True, methods=["post"])
    def invite(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        data = ItemNoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.decision_report_invite_intervention(
            actor=request.user,
            report=report,
            **data.validated_data,
        )
        return self._done(report)

    @extend_schema(
        summary="Acknowledge and optionally answer, for one recipient body",
        request=AnswerInputSerializer,
        responses=responses(DecisionReportSerializer),
        tags=["meetings"],
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        data = AnswerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        recipient = report.recipients.filter(
            organization_id=data.validated_data["organization"]
        ).first()
        if recipient is None:
            raise not_found("organization")
        services.decision_report_acknowledge(
            actor=request.user,
            recipient=recipient,
            answer=data.validated_data["answer"],
        )
        return self._done(report)

    @extend_schema(
        summary="Proceed with the matter (gate: early intervention)",
        request=ItemNoteInputSerializer,
        responses=responses(DecisionReportSerializer),
        tags=["meetings"],
    )
    @action(detail=True, methods=["post"])
    def proceed(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        data = ItemNoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.decision_report_proceed(
            actor=request.user,
            report=report,
            **data.validated_data,
        )
        return self._done(report)


# --- owners' assembly motions -------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Owners' assembly motions", tags=["meetings"]),
    retrieve=extend_schema(summary="One motion", tags=["meetings"]),
)
class MotionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = MotionSerializer
    filterset_class = MotionFilter
    model = OwnersAssemblyMotion
    related = ("compound",)

    @extend_schema(
        summary="Propose a motion (working group, PMC officers)",
        request=MotionInputSerializer,
        responses=created(MotionSerializer),
        tags=["meetings"],
    )
    def create(self, request: Request) -> Response:
        data = MotionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        compound = self.staff_compound(values.pop("compound"))
        if compound is None:
            raise not_found("compound")
        motion = services.motion_propose(actor=request.user, compound=compound, **values)
        return Response(MotionSerializer(motion).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Enter one unit's paper ballot (a second person confirms it on the page)",
        request=VoteInputSerializer,
        responses=created(VoteSerializer),
        tags=["meetings"],
    )
    @action(detail=True, methods=["post"])
    def vote(self, request: Request, pk: str | None = None) -> Response:
        motion = self.get_object()
        data = VoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        household = (
            Household.objects.select_related("building")
            .filter(pk=data.validated_data["household"])
            .first()
        )
        if household is None:
            raise not_found("household")
        vote = motion_services.motion_paper_enter(
            actor=request.user,
            motion=motion,
            household=household,
            choice=data.validated_data["choice"],
        )
        return Response(VoteSerializer(vote).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The tally under Civil Code art. 278, with the reasons",
        responses=responses(TallySerializer),
        tags=["meetings"],
    )
    @action(detail=True, methods=["get"])
    def tally(self, request: Request, pk: str | None = None) -> Response:
        motion = self.get_object()
        result = services.motion_tally(motion=motion)
        return Response(TallySerializer(result.as_dict()).data)


router = SimpleRouter()
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("topics", TopicViewSet, basename="topic")
router.register("action-items", ActionItemViewSet, basename="action-item")
router.register("decision-reports", DecisionReportViewSet, basename="decision-report")
router.register("motions", MotionViewSet, basename="motion")

urlpatterns = router.urls
