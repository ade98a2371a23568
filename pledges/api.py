"""DRF API for pledges, mounted at ``/api/pledges/``.

* ``letters/``, ``items/``, ``results/`` — public, read-only: published letters,
  their items with the current status, and period results (seed: 公示承诺制度
  第四条 — annual pledges are public, long-term).
* ``activities/``, ``inspections/`` — public summaries without names; staff of
  the compound record new ones (POST) through the services; ``findings/<id>/fix/``
  records a rectification with proof.
* ``cases/`` — accountability cases, staff of the compound only; ``decide/``
  for the compound party organization (seed: 物业管理委员会服务承诺 第10条).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from huashan.directory.models import Organization, Person
from huashan.directory.selectors import compound_by_slug, person_staff_compounds

from . import services
from .filters import (
    ActivityFilter,
    CaseFilter,
    InspectionFilter,
    ItemFilter,
    LetterFilter,
    ResultFilter,
)
from .models import (
    AccountabilityCase,
    Activity,
    Finding,
    Inspection,
    PeriodResult,
    PledgeItem,
    PledgeLetter,
)
from .serializers import (
    AccountabilityCaseSerializer,
    ActivityInputSerializer,
    ActivitySerializer,
    CaseDecideInputSerializer,
    CaseEventSerializer,
    ErrorSerializer,
    FieldErrorsSerializer,
    FindingSerializer,
    FixInputSerializer,
    InspectionInputSerializer,
    InspectionSerializer,
    PeriodResultSerializer,
    PledgeItemSerializer,
    PledgeLetterSerializer,
)

app_name = "pledges_api"

WRITE_RESPONSES = {
    400: OpenApiResponse(FieldErrorsSerializer, description="Invalid input."),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed."),
    404: OpenApiResponse(ErrorSerializer, description="Not found."),
}


def _results_prefetch() -> Prefetch:
    return Prefetch("results", queryset=PeriodResult.objects.order_by("measure", "period_start"))


@extend_schema_view(
    list=extend_schema(
        summary="Published pledge letters with items and statuses", tags=["pledges"]
    ),
    retrieve=extend_schema(summary="One published pledge letter", tags=["pledges"]),
)
class LetterViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PledgeLetterSerializer
    permission_classes = (AllowAny,)
    filterset_class = LetterFilter

    def get_queryset(self) -> QuerySet[PledgeLetter]:
        items = (
            PledgeItem.objects.select_related("letter")
            .prefetch_related(_results_prefetch())
            .order_by("position", "number", "pk")
        )
        return (
            PledgeLetter.objects.filter(published=True)
            .select_related("compound", "organization")
            .prefetch_related(Prefetch("items", queryset=items))
            .order_by("-year", "organization__kind", "pk")
        )


@extend_schema_view(
    list=extend_schema(summary="Pledge items with their current status", tags=["pledges"]),
    retrieve=extend_schema(summary="One pledge item", tags=["pledges"]),
)
class ItemViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PledgeItemSerializer
    permission_classes = (AllowAny,)
    filterset_class = ItemFilter

    def get_queryset(self) -> QuerySet[PledgeItem]:
        return (
            PledgeItem.objects.filter(letter__published=True)
            .select_related("letter")
            .prefetch_related(_results_prefetch())
            .order_by("letter_id", "position", "number", "pk")
        )


@extend_schema_view(
    list=extend_schema(summary="Period results (history by period)", tags=["pledges"]),
    retrieve=extend_schema(summary="One period result", tags=["pledges"]),
)
class ResultViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PeriodResultSerializer
    permission_classes = (AllowAny,)
    filterset_class = ResultFilter

    def get_queryset(self) -> QuerySet[PeriodResult]:
        return PeriodResult.objects.filter(item__letter__published=True).order_by(
            "item_id", "measure", "period_start"
        )


def _compound_for_write(slug: str):
    compound = compound_by_slug(slug=slug)
    if compound is None:
        raise ValidationError({"compound": _("No such compound.")})
    return compound


@extend_schema_view(
    list=extend_schema(summary="Activities (public summary, no names)", tags=["pledges"]),
    retrieve=extend_schema(summary="One activity", tags=["pledges"]),
)
class ActivityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_denied_detail = gettext_lazy("You may not do this.")  # a refusal without a message
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_queryset(self) -> QuerySet[Activity]:
        return (
            Activity.objects.select_related("compound", "organization")
            .prefetch_related("photos")
            .order_by("-held_on", "-pk")
        )

    @extend_schema(
        summary="Record an activity (staff of the compound)",
        request=ActivityInputSerializer,
        responses={201: ActivitySerializer, **WRITE_RESPONSES},
        tags=["pledges"],
    )
    def create(self, request: Request) -> Response:
        data = ActivityInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        compound = _compound_for_write(values.pop("compound"))
        organization = Organization.objects.filter(pk=values.pop("organization")).first()
        if organization is None:
            raise ValidationError({"organization": _("No such organization.")})
        activity = services.activity_record(
            actor=request.user,
            compound=compound,
            organization=organization,
            **values,
        )
        return Response(ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="Inspections with findings (no names)", tags=["pledges"]),
    retrieve=extend_schema(summary="One inspection", tags=["pledges"]),
)
class InspectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_denied_detail = gettext_lazy("You may not do this.")  # a refusal without a message
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilter

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_queryset(self) -> QuerySet[Inspection]:
        return (
            Inspection.objects.select_related("compound", "organization")
            .prefetch_related("findings")
            .order_by("-inspected_on", "-pk")
        )

    @extend_schema(
        summary="Record an inspection with findings (staff of the compound)",
        request=InspectionInputSerializer,
        responses={201: InspectionSerializer, **WRITE_RESPONSES},
        tags=["pledges"],
    )
    def create(self, request: Request) -> Response:
        data = InspectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        compound = _compound_for_write(values.pop("compound"))
        organization = Organization.objects.filter(pk=values.pop("organization")).first()
        if organization is None:
            raise ValidationError({"organization": _("No such organization.")})
        inspector_id = values.pop("inspector", None)
        inspector = None
        if inspector_id is not None:
            inspector = Person.objects.filter(pk=inspector_id).first()
            if inspector is None:
                raise ValidationError({"inspector": _("No such person.")})
        rep_ids = values.pop("owner_representatives")
        reps = list(Person.objects.filter(pk__in=rep_ids))
        if len(reps) != len(set(rep_ids)):
            raise ValidationError({"owner_representatives": _("No such person.")})
        inspection = services.inspection_record(
            actor=request.user,
            compound=compound,
            organization=organization,
            inspector=inspector,
            owner_representatives=reps,
            **values,
        )
        inspection = self.get_queryset().get(pk=inspection.pk)
        return Response(InspectionSerializer(inspection).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="Inspection findings", tags=["pledges"]),
    retrieve=extend_schema(summary="One finding", tags=["pledges"]),
)
class FindingViewSet(viewsets.ReadOnlyModelViewSet):
    permission_denied_detail = gettext_lazy("You may not do this.")  # a refusal without a message
    serializer_class = FindingSerializer
    filterset_fields = ("inspection", "is_safety")

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_queryset(self) -> QuerySet[Finding]:
        return Finding.objects.select_related("inspection__compound").order_by("rectify_due", "pk")

    @extend_schema(
        summary="Record the fix of a finding, with proof",
        request=FixInputSerializer,
        responses={200: FindingSerializer, **WRITE_RESPONSES},
        tags=["pledges"],
    )
    @action(detail=True, methods=["post"])
    def fix(self, request: Request, pk: str | None = None) -> Response:
        finding = self.get_object()
        data = FixInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        finding = services.finding_mark_fixed(
            actor=request.user,
            finding=finding,
            proof=data.validated_data["proof"],
        )
        return Response(FindingSerializer(finding).data)


@extend_schema_view(
    list=extend_schema(summary="Accountability cases (staff only)", tags=["pledges"]),
    retrieve=extend_schema(summary="One accountability case", tags=["pledges"]),
)
class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    permission_denied_detail = gettext_lazy("You may not do this.")  # a refusal without a message
    serializer_class = AccountabilityCaseSerializer
    permission_classes = (IsAuthenticated,)
    filterset_class = CaseFilter

    def get_queryset(self) -> QuerySet[AccountabilityCase]:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return AccountabilityCase.objects.none()
        user = self.request.user
        allowed = [
            c.pk
            for c in person_staff_compounds(person=user)
            if user.has_perm("pledges.view_cases", c)
        ]
        return (
            AccountabilityCase.objects.filter(compound_id__in=allowed)
            .select_related("compound", "organization", "person")
            .order_by("-opened_at", "-pk")
        )

    @extend_schema(
        summary="Timeline of a case",
        responses={200: CaseEventSerializer(many=True), 404: ErrorSerializer},
        tags=["pledges"],
    )
    @action(detail=True, methods=["get"])
    def timeline(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        events = case.events.select_related("actor").order_by("at", "pk")
        return Response(CaseEventSerializer(events, many=True).data)

    @extend_schema(
        summary="Decide a case: resigned / warned / no action, with reasons",
        request=CaseDecideInputSerializer,
        responses={200: AccountabilityCaseSerializer, **WRITE_RESPONSES},
        tags=["pledges"],
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        data = CaseDecideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_decide(actor=request.user, case=case, **data.validated_data)
        case = self.get_queryset().get(pk=case.pk)
        return Response(AccountabilityCaseSerializer(case).data)


router = SimpleRouter()
router.register("letters", LetterViewSet, basename="letter")
router.register("items", ItemViewSet, basename="item")
router.register("results", ResultViewSet, basename="result")
router.register("activities", ActivityViewSet, basename="activity")
router.register("inspections", InspectionViewSet, basename="inspection")
router.register("findings", FindingViewSet, basename="finding")
router.register("cases", CaseViewSet, basename="case")

urlpatterns = router.urls
