"""DRF API of the disclosure board, mounted at ``/api/disclosures/``.

* ``disclosures/`` — public read (no login): what is posted, the archive and
  superseded versions, filtered with :class:`disclosures.filters.DisclosureFilter`;
  a publisher also sees the drafts of their own organizations. Writes for
  publishers go through the services: create / edit a draft, attach a file,
  set the ledger, publish, correct (a new version), delete a draft.
* ``disclosures/<id>/objections/`` — a verified owner objects;
  ``objections/<id>/answer/`` — the publisher answers (seed: 公示承诺制度 第三条).
* ``categories/`` — public; ``compliance/`` — the schedule compliance table (staff).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from huashan.directory.models import Compound, Membership, Organization
from huashan.directory.rules import PUBLISHER_ROLES

from . import selectors, services
from .filters import DisclosureFilter
from .forms import period_code_bounds
from .ledger import LedgerInput, LedgerLineInput
from .models import Category, Disclosure, Objection
from .serializers import (
    ComplianceQuerySerializer,
    ComplianceRowSerializer,
    DisclosureAttachmentInputSerializer,
    DisclosureCategorySerializer,
    DisclosureCorrectionInputSerializer,
    DisclosureDetailSerializer,
    DisclosureDraftInputSerializer,
    DisclosureErrorSerializer,
    DisclosureFieldErrorsSerializer,
    DisclosureSerializer,
    LedgerInputSerializer,
    ObjectionAnswerInputSerializer,
    ObjectionInputSerializer,
    ObjectionResultSerializer,
    ResolutionQuerySerializer,
    ResolutionRowSerializer,
)

app_name = "disclosures_api"

RELATED = ("compound", "organization", "category")

ERRORS = {
    400: OpenApiResponse(DisclosureFieldErrorsSerializer, description="Invalid input or state."),
    401: OpenApiResponse(DisclosureErrorSerializer, description="Not logged in."),
    403: OpenApiResponse(DisclosureErrorSerializer, description="Not allowed."),
    404: OpenApiResponse(DisclosureErrorSerializer, description="Not found or not visible."),
}


def visible_disclosures(user) -> QuerySet[Disclosure]:
    """Public states for everyone; drafts only for their organizations' publishers."""
    visible = Q(state__in=Disclosure.PUBLIC_STATES)
    if getattr(user, "is_authenticated", False) and user.is_active:
        if user.is_superuser:
            visible |= Q(state=Disclosure.State.DRAFT)
        else:
            orgs = Membership.objects.current().filter(person=user, role__in=PUBLISHER_ROLES)
            visible |= Q(
                state=Disclosure.State.DRAFT, organization_id__in=orgs.values("organization_id")
            )
    return Disclosure.objects.filter(visible)


@extend_schema_view(
    list=extend_schema(summary="Disclosures (public board)", tags=["disclosures"], auth=[]),
    retrieve=extend_schema(
        summary="One disclosure with ledger, versions and objections",
        tags=["disclosures"],
        responses={200: DisclosureDetailSerializer, 404: ERRORS[404]},
    ),
)
class DisclosureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_denied_detail = gettext_lazy("You may not do this.")  # a refusal without a message
    serializer_class = DisclosureSerializer
    permission_classes = (IsAuthenticatedOrReadOnly,)
    filterset_class = DisclosureFilter
    parser_classes = (JSONParser, MultiPartParser, FormParser)

    def get_queryset(self) -> QuerySet[Disclosure]:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Disclosure.objects.none()
        qs = visible_disclosures(self.request.user).select_related(*RELATED)
        if self.action == "retrieve":
            qs = qs.select_related("ledger").prefetch_related("attachments", "ledger__lines")
        return qs.order_by("-published_at", "-pk")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return DisclosureDetailSerializer
        return DisclosureSerializer

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        disclosure = self.get_object()
        context = self.get_serializer_context()
        context["versions"] = selectors.disclosure_versions(disclosure=disclosure)
        context["objections"] = selectors.disclosure_objections_public(disclosure=disclosure)
        return Response(DisclosureDetailSerializer(disclosure, context=context).data)

    def _detail(self, disclosure: Disclosure, *, code=status.HTTP_200_OK) -> Response:
        disclosure = (
            Disclosure.objects.select_related(*RELATED, "ledger")
            .prefetch_related("attachments", "ledger__lines")
            .get(pk=disclosure.pk)
        )
        context = self.get_serializer_context()
        context["versions"] = selectors.disclosure_versions(disclosure=disclosure)
        context["objections"] = selectors.disclosure_objections_public(disclosure=disclosure)
        return Response(DisclosureDetailSerializer(disclosure, context=context).data, status=code)

    @extend_schema(
        summary="Create a draft (publishers)",
        request=DisclosureDraftInputSerializer,
        responses={201: DisclosureDetailSerializer, **ERRORS},
        tags=["disclosures"],
    )
    def create(self, request: Request) -> Response:
        data = DisclosureDraftInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        disclosure = services.disclosure_create_draft(actor=request.user, **fields)
        return self._detail(disclosure, code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Edit a draft (publishers; a published disclosure needs a correction)",
        request=DisclosureDraftInputSerializer,
        responses={200: DisclosureDetailSerializer, **ERRORS},
        tags=["disclosures"],
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        disclosure = self.get_object()
        data = DisclosureDraftInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        moved = {k for k in ("compound", "organization") if k in fields}
        if moved:
            raise ValidationError(
                {k: [_("This cannot be changed on a draft.")] for k in sorted(moved)}
            )
        services.disclosure_update_draft(actor=request.user, disclosure=disclosure, **fields)
        return self._detail(disclosure)

    @extend_schema(
        summary="Delete a draft (published disclosures are permanent)",
        request=None,
        responses={204: None, **ERRORS},
        tags=["disclosures"],
    )
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        disclosure = self.get_object()
        services.disclosure_delete_draft(actor=request.user, disclosure=disclosure)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Publish a draft",
        request=None,
        responses={200: DisclosureDetailSerializer, **ERRORS},
        tags=["disclosures"],
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        disclosure = self.get_object()
        services.disclosure_publish(actor=request.user, disclosure=disclosure)
        return self._detail(disclosure)

    @extend_schema(
        summary="Publish a correction (a new version with a reason)",
        request=DisclosureCorrectionInputSerializer,
        responses={201: DisclosureDetailSerializer, **ERRORS},
        tags=["disclosures"],
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def correct(self, request: Request, pk: str | None = None) -> Response:
        disclosure = self.get_object()
        data = DisclosureCorrectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new = services.disclosure_correct(
            actor=request.user,
            disclosure=disclosure,
            **data.validated_data,
        )
        return self._detail(new, code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Set the ledger of a draft (all lines or none; totals checked)",
        request=LedgerInputSerializer,
        responses={200: DisclosureDetailSerializer, **ERRORS},
        tags=["disclosures"],
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def ledger(self, request: Request, pk: str | None = None) -> Response:
        disclosure = self.get_object()
        data = LedgerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        ledger = LedgerInput(
            opening_balance=values["opening_balance"],
            stated_income=values["stated_income"],
            stated_expense=values["stated_expense"],
            stated_closing_balance=values["stated_closing_balance"],
            lines=[
                LedgerLineInput(
                    date=line["date"],
                    item=line["item"],
                    amount=line["amount"],
                    direction=line["direction"],
                    counterparty=line.get("counterparty", ""),
                    category=line.get("category", ""),
                    row=index,
                )
                for index, line in enumerate(values["lines"], start=1)
            ],
        )
        services.disclosure_ledger_set(actor=request.user, disclosure=disclosure, ledger=ledger)
        return self._detail(disclosure)

    @extend_schema(
        summary="Attach a PDF or picture to a draft",
        request={"multipart/form-data": DisclosureAttachmentInputSerializer},
        responses={201: DisclosureDetailSerializer, **ERRORS},
        tags=["disclosures"],
    )
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[IsAuthenticated],
        parser_classes=[MultiPartParser, FormParser],
    )
    def attachments(self, request: Request, pk: str | None = None) -> Response:
        disclosure = self.get_object()
        data = DisclosureAttachmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.disclosure_attachment_add(
            actor=request.user,
            disclosure=disclosure,
            uploaded_file=data.validated_data["file"],
        )
        return self._detail(disclosure, code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="File an objection (verified owners of the compound)",
        request=ObjectionInputSerializer,
        responses={201: ObjectionResultSerializer, **ERRORS},
        tags=["disclosures"],
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def objections(self, request: Request, pk: str | None = None) -> Response:
        disclosure = self.get_object()
        data = ObjectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        objection = services.objection_file(
            actor=request.user,
            disclosure=disclosure,
            body=data.validated_data["body"],
        )
        return Response(objection_result(objection), status=status.HTTP_201_CREATED)


def objection_result(objection: Objection) -> dict:
    return ObjectionResultSerializer(
        {
            "id": objection.pk,
            "state": objection.state,
            "answer_due": objection.answer_due,
            "answer": objection.answer,
        }
    ).data


class ObjectionViewSet(viewsets.GenericViewSet):
    permission_denied_detail = gettext_lazy("You may not do this.")  # a refusal without a message
    """Answers to objections (the publisher's organization)."""

    permission_classes = (IsAuthenticated,)
    queryset = Objection.objects.select_related("disclosure")
    serializer_class = ObjectionResultSerializer

    @extend_schema(
        summary="Answer an objection (publicly)",
        request=ObjectionAnswerInputSerializer,
        responses={200: ObjectionResultSerializer, **ERRORS},
        tags=["disclosures"],
    )
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        objection = get_object_or_404(self.get_queryset(), pk=pk)
        data = ObjectionAnswerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        objection = services.objection_answer(
            actor=request.user,
            objection=objection,
            answer=data.validated_data["answer"],
        )
        return Response(objection_result(objection))


@extend_schema_view(
    list=extend_schema(summary="Disclosure categories", tags=["disclosures"], auth=[])
)
class CategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = DisclosureCategorySerializer
    permission_classes = (AllowAny,)
    pagination_class = None
    filter_backends = ()
    queryset = Category.objects.all()


class ComplianceViewSet(viewsets.ViewSet):
    """The schedule compliance table of a compound (on time / late / missing / not due)."""

    permission_classes = (IsAuthenticated,)

    @extend_schema(
        summary="Schedule compliance (staff of the compound)",
        parameters=[ComplianceQuerySerializer],
        responses={200: ComplianceRowSerializer(many=True), **ERRORS},
        tags=["disclosures"],
    )
    def list(self, request: Request) -> Response:
        query = ComplianceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        compound = get_object_or_404(Compound, slug=query.validated_data["compound"])
        if not request.user.has_perm("disclosures.view_staff", compound):
            raise PermissionDenied(_("This is for the compound's staff."))
        try:
            start, end = period_code_bounds(query.validated_data["period"])
        except ValueError:
            raise ValidationError(
                {"period": [_("Write the period as 2026, 2026H1, 2026Q3 or 2026-07.")]}
            ) from None
        organization = None
        if "organization" in query.validated_data:
            organization = Organization.objects.filter(
                pk=query.validated_data["organization"]
            ).first()
            if organization is None:
                raise ValidationError({"organization": [_("No such organization.")]})
        rows = selectors.schedule_compliance(
            compound=compound, start=start, end=end, organization=organization
        )
        return Response(ComplianceRowSerializer(rows, many=True).data)


class ResolutionViewSet(viewsets.ViewSet):
    """决议执行情况: the PMC's half-yearly report on each resolution the owners passed, as the
    public page shows it (物业管理委员会服务承诺 1 "每半年…向全体业主汇报决议执行情况")."""

    permission_classes = (AllowAny,)

    @extend_schema(
        summary="Report on the owners' assembly resolutions (public)",
        parameters=[ResolutionQuerySerializer],
        responses={200: ResolutionRowSerializer(many=True), **ERRORS},
        tags=["disclosures"],
    )
    def list(self, request: Request) -> Response:
        query = ResolutionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        compound = get_object_or_404(Compound, slug=query.validated_data["compound"])
        half_year = services.resolution_report_period(query.validated_data.get("period"))
        if half_year is None:
            raise ValidationError(
                {"period": [_("Write a half-year up to now, as 2026H1 or 2026H2.")]}
            )
        rows = selectors.resolution_report(compound=compound, period=half_year)
        return Response(ResolutionRowSerializer(rows, many=True).data)


router = SimpleRouter()
router.register("disclosures", DisclosureViewSet, basename="disclosure")
router.register("objections", ObjectionViewSet, basename="objection")
router.register("categories", CategoryViewSet, basename="category")
router.register("compliance", ComplianceViewSet, basename="compliance")
router.register("resolutions", ResolutionViewSet, basename="resolution")

urlpatterns = router.urls
