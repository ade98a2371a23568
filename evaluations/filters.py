"""django-filter sets of the evaluation API."""

from __future__ import annotations

import django_filters

from .models import Campaign, QuarterRating


class CampaignFilter(django_filters.FilterSet):
    compound = django_filters.CharFilter(field_name="compound__slug")
    community = django_filters.CharFilter(field_name="community__slug")
    year = django_filters.NumberFilter()
    state = django_filters.ChoiceFilter(choices=Campaign.State.choices)

    class Meta:
        model = Campaign
        fields = ("compound", "community", "year", "state")


class QuarterRatingFilter(django_filters.FilterSet):
    compound = django_filters.CharFilter(field_name="compound__slug")
    year = django_filters.NumberFilter()
    verdict = django_filters.ChoiceFilter(choices=QuarterRating.Verdict.choices)

    class Meta:
        model = QuarterRating
        fields = ("compound", "year", "verdict")
