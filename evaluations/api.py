"""DRF API of the evaluation, mounted at ``/api/evaluations/`` (``evaluations_api``).

* ``campaigns/`` — public: campaigns whose results are public (publicity,
  approved, circulated, closed); staff of the compound also see the rest.
  Filters: ``compound`` (slug), ``community`` (slug), ``year``, ``state``.
* ``campaigns/<id>/results/`` — per-target, per-criterion aggregates; never a
  ballot or a person (seed: 评议监督考核制度 第三条 民主测评, 第五条 公示/审定);
  404 while scoring runs, and to the evaluated bodies before publicity
  (``services.may_view_results``, issue 14 item 1).
* ``redblack/`` — the property company's quarterly ratings (小区党组织服务承诺 第10条).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from huashan.directory.selectors import person_staff_compounds

from .filters import CampaignFilter, QuarterRatingFilter
from .models import Campaign, QuarterRating
from .results import campaign_results
from .serializers import CampaignSerializer, QuarterRatingSerializer, TargetResultSerializer
from .services import may_view_results

app_name = "evaluations_api"

PUBLIC = [*Campaign.PUBLIC_STATES, Campaign.State.PUBLICITY]


class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CampaignSerializer
    permission_classes = (AllowAny,)
    filterset_class = CampaignFilter

    def get_queryset(self) -> QuerySet[Campaign]:
        visible = Q(state__in=PUBLIC)
        user = self.request.user
        if user.is_authenticated:
            compounds = person_staff_compounds(person=user)
            visible |= Q(compound__in=compounds) | Q(
                community__compounds__in=compounds.values("pk")
            )
        return (
            Campaign.objects.filter(visible)
            .select_related("compound", "community")
            .distinct()
            .order_by("-year", "pk")
        )

    @extend_schema(responses=TargetResultSerializer(many=True))
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk=None) -> Response:
        campaign = self.get_object()
        if not may_view_results(request.user, campaign):
            # Same answer before and after a ballot while scoring runs (issue 14 item 1).
            raise NotFound
        return Response(TargetResultSerializer(campaign_results(campaign), many=True).data)


class QuarterRatingViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = QuarterRatingSerializer
    permission_classes = (AllowAny,)
    filterset_class = QuarterRatingFilter
    queryset = QuarterRating.objects.select_related("company").order_by("-year", "-quarter", "pk")


router = SimpleRouter()
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("redblack", QuarterRatingViewSet, basename="redblack")
urlpatterns = router.urls
