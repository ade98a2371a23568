"""django-filter set for the disclosures API (the board's filters, as query parameters)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Disclosure

PUBLIC_STATE_CHOICES = [
    (value, label) for value, label in Disclosure.State.choices if value != Disclosure.State.DRAFT
]


class DisclosureFilter(django_filters.FilterSet):
    compound = django_filters.CharFilter(
        field_name="compound__slug", max_length=50, label=_("Compound (slug)")
    )
    category = django_filters.CharFilter(
        field_name="category__code", max_length=40, label=_("Category code")
    )
    organization = django_filters.NumberFilter(
        field_name="organization_id", label=_("Organization (id)")
    )
    state = django_filters.MultipleChoiceFilter(choices=Disclosure.State.choices, label=_("State"))
    current = django_filters.BooleanFilter(
        method="filter_current", label=_("Posted now (true) or archive (false)")
    )
    period_from = django_filters.DateFilter(
        method="filter_period_from", label=_("Period covered ends on or after (YYYY-MM-DD)")
    )
    period_to = django_filters.DateFilter(
        method="filter_period_to", label=_("Period covered starts on or before (YYYY-MM-DD)")
    )
    q = django_filters.CharFilter(
        method="filter_q", max_length=100, label=_("Words in title or text")
    )

    class Meta:
        model = Disclosure
        fields = (
            "compound",
            "category",
            "organization",
            "state",
            "current",
            "period_from",
            "period_to",
            "q",
        )

    def filter_current(self, queryset: QuerySet[Disclosure], name: str, value: bool | None):
        if value is None:
            return queryset
        if value:
            return queryset.filter(state=Disclosure.State.PUBLISHED)
        return queryset.filter(state__in=(Disclosure.State.EXPIRED, Disclosure.State.ARCHIVED))

    def filter_period_from(self, queryset, name, value):
        return queryset.filter(Q(period_end__gte=value) | Q(period_end__isnull=True))

    def filter_period_to(self, queryset, name, value):
        return queryset.filter(Q(period_start__lte=value) | Q(period_start__isnull=True))

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(body_markdown__icontains=value))
