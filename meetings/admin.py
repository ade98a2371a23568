"""Admin for meetings: read-mostly; state changes belong to the services."""

from django.contrib import admin

from . import models


class ReadOnlyEventAdmin(admin.ModelAdmin):
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MeetingMemberInline(admin.TabularInline):
    model = models.MeetingMember
    extra = 0
    raw_id_fields = ("person", "organization")


@admin.register(models.Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("title", "compound", "kind", "start", "place", "status")
    list_filter = ("kind", "status", "compound")
    search_fields = ("title", "place")
    date_hierarchy = "start"
    raw_id_fields = ("chair", "convener", "created_by", "organization")
    readonly_fields = ("status",)
    inlines = [MeetingMemberInline]


@admin.register(models.AgendaTopic)
class AgendaTopicAdmin(admin.ModelAdmin):
    list_display = ("title", "compound", "meeting", "source", "status", "order")
    list_filter = ("status", "source")
    search_fields = ("title",)
    raw_id_fields = ("meeting", "issue", "action_item", "proposer", "decided_by", "merged_into")
    readonly_fields = ("status",)


@admin.register(models.Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("document_number", "meeting", "issued_at")
    search_fields = ("document_number",)
    readonly_fields = ("document_number", "year", "number")


@admin.register(models.ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ("title", "responsible_organization", "due_date", "status")
    list_filter = ("status", "compound")
    search_fields = ("title",)
    raw_id_fields = ("meeting", "topic", "responsible_person", "accepted_by", "created_by")
    readonly_fields = ("status",)


@admin.register(models.DecisionReport)
class DecisionReportAdmin(admin.ModelAdmin):
    list_display = ("title", "compound", "matter", "status", "filed_at")
    list_filter = ("matter", "status")
    readonly_fields = ("status",)


@admin.register(models.OwnersAssemblyMotion)
class OwnersAssemblyMotionAdmin(admin.ModelAdmin):
    list_display = ("title", "compound", "matter", "stage", "passed")
    list_filter = ("matter", "stage")
    readonly_fields = ("stage", "tally", "passed")


@admin.register(models.ForumOpinion)
class ForumOpinionAdmin(admin.ModelAdmin):
    list_display = ("raised_by_name", "meeting", "disposition")
    list_filter = ("disposition",)


for _model in (
    models.MeetingEvent,
    models.AgendaTopicEvent,
    models.ActionItemEvent,
    models.DecisionReportEvent,
    models.MotionEvent,
):
    admin.site.register(_model, ReadOnlyEventAdmin)
