"""Admin for complaints: categories and clock policies are edited here; issues are
read-mostly (every change goes through a service, so the history stays true)."""

from __future__ import annotations

from django.contrib import admin

from .models import (
    Category,
    ClockPolicy,
    Issue,
    IssueAlarm,
    IssueEvent,
    Open311Client,
    Referral,
    ResponseTemplate,
    SupervisionOrder,
    Whistle,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "safety_related", "sort_order", "active")
    list_editable = ("sort_order", "active")
    list_filter = ("active", "safety_related")
    search_fields = ("name", "code")


@admin.register(ClockPolicy)
class ClockPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "compound",
        "response_hours",
        "feedback_working_days",
        "plan_days",
        "hazard_days",
        "warn_before_hours",
        "auto_close_days",
        "reopen_days",
    )
    list_select_related = ("compound",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "warn_before_hours" in form.changed_data:
            from .services import issue_alarm_bookmarks_reset

            issue_alarm_bookmarks_reset(compound=obj.compound)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class IssueEventInline(ReadOnlyInline):
    model = IssueEvent
    fields = ("at", "actor", "verb", "from_state", "to_state", "public", "organization", "note")
    readonly_fields = fields
    ordering = ("at", "pk")


class ReferralInline(ReadOnlyInline):
    model = Referral
    fields = ("organization", "purpose", "created_at", "ack_due", "acknowledged_at")
    readonly_fields = fields


class SupervisionOrderInline(ReadOnlyInline):
    model = SupervisionOrder
    fk_name = "issue"
    fields = ("organization", "issued_at", "due", "fulfilled_at", "instruction")
    readonly_fields = fields


class AlarmInline(ReadOnlyInline):
    model = IssueAlarm
    fields = ("clock", "stage", "due", "created_at")
    readonly_fields = fields


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    """Read-mostly: only the public flag and the hotline number can be corrected here."""

    list_display = (
        "tracking_number",
        "compound",
        "category",
        "tier",
        "status",
        "assigned_org",
        "next_deadline",
        "created_at",
    )
    list_filter = ("status", "tier", "is_hazard", "category", "compound")
    search_fields = ("tracking_number", "description", "hotline_number")
    list_select_related = ("compound", "category", "assigned_org")
    date_hierarchy = "created_at"
    inlines = (IssueEventInline, ReferralInline, SupervisionOrderInline, AlarmInline)
    editable = ("is_public", "hotline_number")
    exclude = ("tracking_code_hash",)

    def get_readonly_fields(self, request, obj=None):
        return [
            f.name
            for f in Issue._meta.concrete_fields
            if f.name not in self.editable and f.name not in self.exclude
        ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Whistle)
class WhistleAdmin(admin.ModelAdmin):
    list_display = ("issue", "level", "blown_at", "report_due")
    list_select_related = ("issue",)
    readonly_fields = ("issue", "level", "blown_by", "blown_at", "report_due", "reason")

    def has_add_permission(self, request):
        return False


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin):
    list_display = ("title", "organization")
    list_select_related = ("organization",)
    search_fields = ("title", "body")


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    list_display = ("name", "compound", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("name",)
