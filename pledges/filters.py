"""django-filter sets for the pledges API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from huashan.directory.models import Organization

from .models import (
    AccountabilityCase,
    Activity,
    Inspection,
    PeriodResult,
    PledgeItem,
    PledgeLetter,
    ResultStatus,
    RuleKind,
)


class LetterFilter(django_filters.FilterSet):
    compound = django_filters.CharFilter(
        field_name="compound__slug", max_length=50, label=_("Compound (slug)")
    )
    year = django_filters.NumberFilter(label=_("Year"))
    organization_kind = django_filters.ChoiceFilter(
        field_name="organization__kind",
        choices=Organization.Kind.choices,
        label=_("Organization kind"),
    )

    class Meta:
        model = PledgeLetter
        fields = ("compound", "year", "organization_kind")


class ItemFilter(django_filters.FilterSet):
    compound = django_filters.CharFilter(
        field_name="letter__compound__slug", max_length=50, label=_("Compound (slug)")
    )
    year = django_filters.NumberFilter(field_name="letter__year", label=_("Year"))
    letter = django_filters.NumberFilter(field_name="letter_id", label=_("Letter (id)"))
    rule_kind = django_filters.ChoiceFilter(choices=RuleKind.choices, label=_("Rule kind"))
    organization_kind = django_filters.ChoiceFilter(
        field_name="letter__organization__kind",
        choices=Organization.Kind.choices,
        label=_("Organization kind"),
    )

    class Meta:
        model = PledgeItem
        fields = ("compound", "year", "letter", "rule_kind", "organization_kind")


class ResultFilter(django_filters.FilterSet):
    compound = django_filters.CharFilter(
        field_name="item__letter__compound__slug", max_length=50, label=_("Compound (slug)")
    )
    year = django_filters.NumberFilter(field_name="item__letter__year", label=_("Year"))
    letter = django_filters.NumberFilter(field_name="item__letter_id", label=_("Letter (id)"))
    item = django_filters.NumberFilter(field_name="item_id", label=_("Item (id)"))
    status = django_filters.MultipleChoiceFilter(choices=ResultStatus.choices, label=_("Status"))
    period = django_filters.DateFromToRangeFilter(
        field_name="period_start", label=_("Period starting between (period_after, period_before)")
    )
    final = django_filters.BooleanFilter(label=_("Final"))

    class Meta:
        model = PeriodResult
        fields = ("compound", "year", "letter", "item", "status", "period", "final")


class ActivityFilter(django_filters.FilterSet):
    compound = django_filters.CharFilter(
        field_name="compound__slug", max_length=50, label=_("Compound (slug)")
    )
    kind = django_filters.MultipleChoiceFilter(choices=Activity.Kind.choices, label=_("Kind"))
    held = django_filters.DateFromToRangeFilter(
        field_name="held_on", label=_("Held between (held_after, held_before)")
    )

    class Meta:
        model = Activity
        fields = ("compound", "kind", "held")


class InspectionFilter(django_filters.FilterSet):
    compound = django_filters.CharFilter(
        field_name="compound__slug", max_length=50, label=_("Compound (slug)")
    )
    kind = django_filters.MultipleChoiceFilter(choices=Inspection.Kind.choices, label=_("Kind"))
    inspected = django_filters.DateFromToRangeFilter(
        field_name="inspected_on", label=_("Inspected between (inspected_after, inspected_before)")
    )

    class Meta:
        model = Inspection
        fields = ("compound", "kind", "inspected")


class CaseFilter(django_filters.FilterSet):
    compound = django_filters.CharFilter(
        field_name="compound__slug", max_length=50, label=_("Compound (slug)")
    )
    status = django_filters.ChoiceFilter(
        choices=AccountabilityCase.Status.choices, label=_("Status")
    )
    trigger = django_filters.ChoiceFilter(
        choices=AccountabilityCase.Trigger.choices, label=_("Trigger")
    )

    class Meta:
        model = AccountabilityCase
        fields = ("compound", "status", "trigger")
