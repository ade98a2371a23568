"""django-filter sets for the issues API (staff queues and residents' own lists)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from issues.models import Issue


def overdue_q() -> Q:
    """A running clock whose next deadline has passed (paused clocks are never overdue)."""
    return Q(
        next_deadline__lt=timezone.now(),
        status__in=Issue.OPEN_STATES,
        paused_at__isnull=True,
    )


class IssueFilter(django_filters.FilterSet):
    compound = django_filters.CharFilter(
        field_name="compound__slug", max_length=50, label=_("Compound (slug)")
    )
    category = django_filters.CharFilter(
        field_name="category__code", max_length=40, label=_("Category code")
    )
    status = django_filters.MultipleChoiceFilter(choices=Issue.Status.choices, label=_("Status"))
    tier = django_filters.ChoiceFilter(choices=Issue.Tier.choices, label=_("Tier"))
    building = django_filters.NumberFilter(field_name="building_id", label=_("Building (id)"))
    created = django_filters.DateFromToRangeFilter(
        field_name="created_at", label=_("Submitted between (created_after, created_before)")
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = Issue
        fields = ("compound", "category", "status", "tier", "building", "created", "overdue")

    def filter_overdue(self, queryset: QuerySet[Issue], name: str, value: bool | None):
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())
