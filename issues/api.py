"""DRF API for residents' complaints, mounted at ``/api/issues/``.

* ``issues/`` — read-only, for logged-in people, scoped by
  :func:`issues.selectors.issue_visible_to` (a resident sees their own issues,
  the property company / PMC what was transferred or referred to them,
  supervisors their compound; a party member, owner representative or resident
  group leader only their own and those they were summoned to in person), the
  nested ``reporter`` per row by the same rule (docs/roles.md "Complaints: who
  sees what"); looked up by tracking number; filtered with
  :class:`issues.filters.IssueFilter`.
* ``issues/<tracking>/accept|transfer|progress|resolve|reject/`` — POST actions
  that call the services (seed: 协同联动解决小区事务流程 第二条 转办 / 督办);
  ``tier`` (三事分流, 第一—五条), ``hazard`` (小区党组织服务承诺 第7条), ``whistle``
  (社区吹哨 / 街道吹哨, 第三条 / 第四条), ``supervise`` (督办, 第二条) and
  ``acknowledge`` (签收 of a referral, 第二条 / 第三条), the same services as the
  staff pages, each checking its own permission.
* ``categories/`` and ``rates/`` — public (the three rates, seed: 评议监督考核 and
  both pledge letters' response pledges).
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from huashan.directory.models import Compound, Organization
from issues import selectors, services
from issues.filters import IssueFilter
from issues.models import Category, Issue
from issues.serializers import (
    CategorySerializer,
    ErrorSerializer,
    ExplanationInputSerializer,
    FieldErrorsSerializer,
    HazardInputSerializer,
    IssueSerializer,
    NoteInputSerializer,
    ProgressInputSerializer,
    RatesQuerySerializer,
    RatesSerializer,
    ReferralAcknowledgeInputSerializer,
    SupervisionInputSerializer,
    TierInputSerializer,
    TransferInputSerializer,
    WhistleInputSerializer,
)

app_name = "issues_api"

ISSUE_RELATED = ("compound", "category", "building", "assigned_org", "merged_into", "reporter")

ACTION_RESPONSES = {
    200: IssueSerializer,
    400: OpenApiResponse(FieldErrorsSerializer, description="Invalid input or state."),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed."),
    404: OpenApiResponse(ErrorSerializer, description="Not found or not visible."),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests."),
}


@extend_schema_view(
    list=extend_schema(summary="Issues visible to me", tags=["issues"]),
    retrieve=extend_schema(summary="One issue by tracking number", tags=["issues"]),
)
class IssueViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = IssueSerializer
    permission_classes = (IsAuthenticated,)
    filterset_class = IssueFilter
    lookup_field = "tracking_number"
    # services' refusals (huashan.core.api.exception_handler): too many -> 429, a refusal
    # without a message -> this detail
    throttled_errors = (services.RateLimited,)
    permission_denied_detail = gettext_lazy("You may not do this to this issue.")
    lookup_url_kwarg = "tracking"
    lookup_value_regex = r"[A-Za-z0-9-]{1,20}"

    def get_queryset(self) -> QuerySet[Issue]:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Issue.objects.none()
        return (
            selectors.issue_visible_to(person=self.request.user, reporter_flag=True)
            .select_related(*ISSUE_RELATED)
            .order_by("-created_at", "-pk")
        )

    def _act(self, request: Request, input_class, service: Callable, **fixed) -> Response:
        issue = self.get_object()
        data = input_class(data=request.data)
        data.is_valid(raise_exception=True)
        return self._call(request, issue, service, issue=issue, **fixed, **data.validated_data)

    def _call(self, request: Request, target: Issue, service: Callable, **kwargs) -> Response:
        """Run the service as the requesting person; answer with the issue as it is now."""
        service(actor=request.user, **kwargs)
        target = Issue.objects.select_related(*ISSUE_RELATED).get(pk=target.pk)
        return Response(self.get_serializer(target).data)

    @extend_schema(
        summary="Accept (the response clock stops)",
        request=NoteInputSerializer,
        responses=ACTION_RESPONSES,
        tags=["issues"],
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, tracking: str | None = None) -> Response:
        return self._act(request, NoteInputSerializer, services.issue_accept)

    @extend_schema(
        summary="Transfer (转办) to the responsible organization",
        request=TransferInputSerializer,
        responses=ACTION_RESPONSES,
        tags=["issues"],
    )
    @action(detail=True, methods=["post"])
    def transfer(self, request: Request, tracking: str | None = None) -> Response:
        return self._act(request, TransferInputSerializer, services.issue_transfer)

    @extend_schema(
        summary="Post a progress note",
        request=ProgressInputSerializer,
        responses=ACTION_RESPONSES,
        tags=["issues"],
    )
    @action(detail=True, methods=["post"])
    def progress(self, request: Request, tracking: str | None = None) -> Response:
        return self._act(request, ProgressInputSerializer, services.issue_post_progress)

    @extend_schema(
        summary="Resolve, with a public explanation",
        request=ExplanationInputSerializer,
        responses=ACTION_RESPONSES,
        tags=["issues"],
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, tracking: str | None = None) -> Response:
        return self._act(request, ExplanationInputSerializer, services.issue_resolve)

    @extend_schema(
        summary="Reject, with a public explanation",
        request=ExplanationInputSerializer,
        responses=ACTION_RESPONSES,
        tags=["issues"],
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, tracking: str | None = None) -> Response:
        return self._act(request, ExplanationInputSerializer, services.issue_reject)

    @extend_schema(
        summary="Change the tier (三事分流), with a reason",
        request=TierInputSerializer,
        responses=ACTION_RESPONSES,
        tags=["issues"],
    )
    @action(detail=True, methods=["post"])
    def tier(self, request: Request, tracking: str | None = None) -> Response:
        return self._act(request, TierInputSerializer, services.issue_change_tier)

    @extend_schema(
        summary="Set or withdraw the safety-hazard flag, with a public reason",
        request=HazardInputSerializer,
        responses=ACTION_RESPONSES,
        tags=["issues"],
    )
    @action(detail=True, methods=["post"])
    def hazard(self, request: Request, tracking: str | None = None) -> Response:
        return self._act(request, HazardInputSerializer, services.issue_set_hazard)

    @extend_schema(
        summary="Blow the whistle (社区吹哨 / 街道吹哨): summon organizations and party members",
        request=WhistleInputSerializer,
        responses=ACTION_RESPONSES,
        tags=["issues"],
    )
    @action(detail=True, methods=["post"])
    def whistle(self, request: Request, tracking: str | None = None) -> Response:
        issue = self.get_object()
        data = WhistleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        org_ids, person_ids = set(values["organizations"]), set(values["persons"])
        organizations = list(Organization.objects.filter(pk__in=org_ids))
        persons = list(
            selectors.whistle_candidate_persons(compound=issue.compound).filter(pk__in=person_ids)
        )
        errors = {}
        if len(organizations) != len(org_ids):
            errors["organizations"] = [_("Unknown organization.")]
        if len(persons) != len(person_ids):
            errors["persons"] = [_("Only party members of the compound can be summoned.")]
        if errors:
            raise ValidationError(errors)
        return self._call(
            request,
            issue,
            services.whistle_blow,
            issue=issue,
            level=values["level"],
            organizations=organizations,
            persons=persons,
            reason=values["reason"],
            report_due=values["report_due"],
        )

    @extend_schema(
        summary="Issue a supervision order (督办) to the responsible organization",
        request=SupervisionInputSerializer,
        responses=ACTION_RESPONSES,
        tags=["issues"],
    )
    @action(detail=True, methods=["post"])
    def supervise(self, request: Request, tracking: str | None = None) -> Response:
        return self._act(request, SupervisionInputSerializer, services.supervision_order_issue)

    @extend_schema(
        summary="Acknowledge (签收) a referral to my organization",
        request=ReferralAcknowledgeInputSerializer,
        responses=ACTION_RESPONSES,
        tags=["issues"],
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, tracking: str | None = None) -> Response:
        issue = self.get_object()
        data = ReferralAcknowledgeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        referral = issue.referrals.filter(pk=data.validated_data["referral"]).first()
        if referral is None:
            raise ValidationError({"referral": [_("This issue has no such referral.")]})
        return self._call(request, issue, services.referral_acknowledge, referral=referral)


@extend_schema_view(list=extend_schema(summary="Complaint categories", tags=["issues"]))
class CategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = CategorySerializer
    permission_classes = (AllowAny,)
    pagination_class = None
    filter_backends = ()
    queryset = Category.objects.filter(active=True)


def month_bounds(month: str) -> tuple[datetime.date, datetime.date]:
    """First and last day of a ``YYYY-MM`` month."""
    year, number = (int(part) for part in month.split("-"))
    last = calendar.monthrange(year, number)[1]
    return datetime.date(year, number, 1), datetime.date(year, number, last)


def local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class RatesViewSet(viewsets.ViewSet):
    """The three rates (三率) of a compound for one month, with their formulas."""

    permission_classes = (AllowAny,)

    @extend_schema(
        summary="Response, resolution and satisfaction rates",
        parameters=[RatesQuerySerializer],
        responses={
            200: RatesSerializer,
            400: OpenApiResponse(FieldErrorsSerializer, description="Bad parameters."),
            404: OpenApiResponse(ErrorSerializer, description="Unknown compound."),
        },
        tags=["issues"],
    )
    def list(self, request: Request) -> Response:
        query = RatesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        compound = get_object_or_404(Compound, slug=query.validated_data["compound"])
        start, end = month_bounds(query.validated_data["month"])
        rates = selectors.issue_rates(
            compound=compound,
            start=local_midnight(start),
            end=local_midnight(end + datetime.timedelta(days=1)),
        )
        data = {
            "compound": compound.slug,
            "month": query.validated_data["month"],
            "start": start,
            "end": end,
            "total": rates.total,
            "responded_in_time": rates.responded_in_time,
            "rated": rates.rated,
            "solved": rates.solved,
            "satisfied_or_basic": rates.satisfied_or_basic,
            "response_rate": rates.response_rate,
            "resolution_rate": rates.resolution_rate,
            "satisfaction_rate": rates.satisfaction_rate,
            "formulas": {name: str(text) for name, text in selectors.FORMULAS.items()},
            "note": str(selectors.RATES_NOTE),
        }
        return Response(RatesSerializer(data).data)


router = SimpleRouter()
router.register("issues", IssueViewSet, basename="issue")
router.register("categories", CategoryViewSet, basename="category")
router.register("rates", RatesViewSet, basename="rates")

urlpatterns = router.urls
