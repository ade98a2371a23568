"""Admin: categories and schedules are editable; postings and objections read-only
(changes go through services so events are written)."""

from __future__ import annotations

from django.contrib import admin

from .models import (
    Category,
    Disclosure,
    DisclosureAttachment,
    DisclosureEvent,
    Objection,
    ObjectionEvent,
    Report,
    Schedule,
    ScheduleAlarm,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "min_posting_days", "long_term", "has_ledger", "sort_order")
    list_editable = ("min_posting_days", "long_term", "sort_order")
    search_fields = ("code", "name")


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ("organization", "category", "cadence", "due_day", "starts_on", "active")
    list_filter = ("cadence", "active", "compound")
    list_select_related = ("organization", "category")


class AttachmentInline(admin.TabularInline):
    model = DisclosureAttachment
    extra = 0
    can_delete = False
    readonly_fields = ("original_name", "kind", "content_type", "size", "file")

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = DisclosureEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "verb", "from_state", "to_state", "note")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Disclosure)
class DisclosureAdmin(ReadOnlyAdmin):
    list_display = ("title", "organization", "category", "state", "version", "published_at")
    list_filter = ("state", "category", "compound")
    search_fields = ("title",)
    list_select_related = ("organization", "category")
    inlines = (AttachmentInline, EventInline)


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "disclosure", "state", "created_at", "answer_due", "answered_at")
    list_filter = ("state",)
    list_select_related = ("disclosure",)


@admin.register(ScheduleAlarm)
class ScheduleAlarmAdmin(ReadOnlyAdmin):
    list_display = ("schedule", "period_start", "kind", "due", "created_at")


@admin.register(ObjectionEvent)
class ObjectionEventAdmin(ReadOnlyAdmin):
    list_display = ("objection", "at", "verb", "actor")


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("compound", "period", "status", "progress", "created_at", "finished_at")
