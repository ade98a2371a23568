"""django-filter sets of the meetings API."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ActionItem, AgendaTopic, DecisionReport, Meeting, OwnersAssemblyMotion


def overdue_q() -> Q:
    return Q(status__in=ActionItem.OPEN_STATES, due_at__lt=timezone.now())


class MeetingFilter(django_filters.FilterSet):
    compound = django_filters.CharFilter(
        field_name="compound__slug", max_length=50, label=_("Compound (slug)")
    )
    kind = django_filters.MultipleChoiceFilter(choices=Meeting.Kind.choices, label=_("Kind"))
    status = django_filters.MultipleChoiceFilter(choices=Meeting.Status.choices, label=_("Status"))
    start = django_filters.IsoDateTimeFromToRangeFilter(
        field_name="start", label=_("Starts between (start_after, start_before)")
    )

    class Meta:
        model = Meeting
        fields = ("compound", "kind", "status", "start")


class TopicFilter(django_filters.FilterSet):
    compound = django_filters.CharFilter(
        field_name="compound__slug", max_length=50, label=_("Compound (slug)")
    )
    meeting = django_filters.NumberFilter(field_name="meeting_id", label=_("Meeting (id)"))
    status = django_filters.MultipleChoiceFilter(
        choices=AgendaTopic.Status.choices, label=_("Status")
    )
    source = django_filters.ChoiceFilter(choices=AgendaTopic.Source.choices, label=_("Source"))

    class Meta:
        model = AgendaTopic
        fields = ("compound", "meeting", "status", "source")


class ActionItemFilter(django_filters.FilterSet):
    compound = django_filters.CharFilter(
        field_name="compound__slug", max_length=50, label=_("Compound (slug)")
    )
    meeting = django_filters.NumberFilter(field_name="meeting_id", label=_("Meeting (id)"))
    organization = django_filters.NumberFilter(
        field_name="responsible_organization_id", label=_("Responsible organization (id)")
    )
    status = django_filters.MultipleChoiceFilter(
        choices=ActionItem.Status.choices, label=_("Status")
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    due = django_filters.DateFromToRangeFilter(
        field_name="due_date", label=_("Due between (due_after, due_before)")
    )

    class Meta:
        model = ActionItem
        fields = ("compound", "meeting", "organization", "status", "overdue", "due")

    def filter_overdue(self, queryset: QuerySet[ActionItem], name: str, value: bool | None):
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())


class DecisionReportFilter(django_filters.FilterSet):
    compound = django_filters.CharFilter(
        field_name="compound__slug", max_length=50, label=_("Compound (slug)")
    )
    matter = django_filters.ChoiceFilter(choices=DecisionReport.Matter.choices, label=_("Matter"))
    status = django_filters.MultipleChoiceFilter(
        choices=DecisionReport.Status.choices, label=_("Status")
    )

    class Meta:
        model = DecisionReport
        fields = ("compound", "matter", "status")


class MotionFilter(django_filters.FilterSet):
    compound = django_filters.CharFilter(
        field_name="compound__slug", max_length=50, label=_("Compound (slug)")
    )
    matter = django_filters.ChoiceFilter(
        choices=OwnersAssemblyMotion.Matter.choices, label=_("Matter")
    )
    stage = django_filters.MultipleChoiceFilter(
        choices=OwnersAssemblyMotion.Stage.choices, label=_("Stage")
    )

    class Meta:
        model = OwnersAssemblyMotion
        fields = ("compound", "matter", "stage")
