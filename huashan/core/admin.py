"""Admin for the portal core: calendar overrides and (read-only) heartbeats."""

from __future__ import annotations

from django.contrib import admin
from django.db.models.functions import ExtractYear
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .models import CalendarDay, Heartbeat


class YearListFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = (
            model_admin.get_queryset(request)
            .annotate(year=ExtractYear("date"))
            .values_list("year", flat=True)
            .distinct()
            .order_by("-year")
        )
        return [(str(y), str(y)) for y in years]

    def queryset(self, request, queryset):
        value = self.value() or ""
        # Only a plausible year filters; anything else (typed into the URL) is ignored.
        if len(value) == 4 and value.isascii() and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Staff enter next year's State Council schedule here (see docs/workdays.md).

    A year counts as known as soon as it has one row, so enter the whole
    year: every holiday day off and every make-up working day.
    """

    list_display = ("date", "weekday", "kind", "name")
    list_filter = ("kind", YearListFilter)
    search_fields = ("name",)
    ordering = ("date",)
    fields = ("date", "kind", "name")

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        # Raw date lookups typed into the URL (?date__year=999…) would overflow
        # in the database layer; the year filter above is the supported way.
        if lookup.startswith("date__"):
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description=_("weekday"), ordering="date")
    def weekday(self, obj: CalendarDay) -> str:
        return date_format(obj.date, "l")


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "at")
    readonly_fields = ("name", "at")
    ordering = ("name",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
