from django.contrib import admin

from .models import CompoundSnapshot, WorkSummary, WorkSummaryEvent


class WorkSummaryEventInline(admin.TabularInline):
    model = WorkSummaryEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "verb", "from_state", "to_state", "note")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WorkSummary)
class WorkSummaryAdmin(admin.ModelAdmin):
    # State changes go through the services; the admin only reads.
    list_display = ("compound", "period", "kind", "state", "generated_at", "submitted_at")
    list_filter = ("kind", "state")
    search_fields = ("compound__name", "period")
    readonly_fields = [f.name for f in WorkSummary._meta.fields]
    inlines = [WorkSummaryEventInline]

    def has_add_permission(self, request):
        return False


@admin.register(CompoundSnapshot)
class CompoundSnapshotAdmin(admin.ModelAdmin):
    list_display = ("compound", "month", "computed_at")
    list_filter = ("month",)
    readonly_fields = ("compound", "month", "figures", "computed_at")

    def has_add_permission(self, request):
        return False
