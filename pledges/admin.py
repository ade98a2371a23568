"""Admin for pledges. Period results and events are read-only: history is never edited."""

from __future__ import annotations

from django.contrib import admin

from .models import (
    AccountabilityCase,
    Activity,
    Attestation,
    CandidatePledge,
    CareService,
    Election,
    Finding,
    Inspection,
    PatrolOpinion,
    PeriodResult,
    PledgeAlarm,
    PledgeEvent,
    PledgeItem,
    PledgeLetter,
)


class PledgeItemInline(admin.TabularInline):
    model = PledgeItem
    extra = 0
    fields = ("position", "number", "section", "heading", "rule_kind", "active")
    show_change_link = True


@admin.register(PledgeLetter)
class PledgeLetterAdmin(admin.ModelAdmin):
    list_display = ("title", "organization", "year", "published")
    list_filter = ("year", "published", "organization__kind")
    search_fields = ("title",)
    readonly_fields = ("disclosure_id", "published_at", "pdf_generated_at")
    inlines = (PledgeItemInline,)


@admin.register(PledgeItem)
class PledgeItemAdmin(admin.ModelAdmin):
    list_display = ("__str__", "letter", "rule_kind", "active")
    list_filter = ("rule_kind", "active", "letter__year")
    search_fields = ("heading", "text")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PeriodResult)
class PeriodResultAdmin(ReadOnlyAdmin):
    list_display = ("item", "measure", "period_start", "period_end", "status", "final")
    list_filter = ("status", "final")


@admin.register(PledgeAlarm)
class PledgeAlarmAdmin(ReadOnlyAdmin):
    list_display = ("item", "period_start", "kind", "organization", "created_at")


@admin.register(PledgeEvent)
class PledgeEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "verb", "from_state", "to_state", "actor", "compound")
    list_filter = ("verb",)


@admin.register(Attestation)
class AttestationAdmin(ReadOnlyAdmin):
    list_display = ("item", "period_start", "judgement", "reviewer")


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("held_on", "title", "kind", "organization", "participant_count")
    list_filter = ("kind",)


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    readonly_fields = ("escalated_issue", "escalated_at")


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ("inspected_on", "kind", "organization", "inspector")
    list_filter = ("kind",)
    inlines = (FindingInline,)


@admin.register(Election)
class ElectionAdmin(admin.ModelAdmin):
    list_display = ("title", "held_on", "compound")


@admin.register(CandidatePledge)
class CandidatePledgeAdmin(admin.ModelAdmin):
    list_display = ("election", "candidate", "kind", "published_at")


@admin.register(AccountabilityCase)
class AccountabilityCaseAdmin(ReadOnlyAdmin):
    list_display = ("person", "organization", "trigger", "status", "outcome", "opened_at")
    list_filter = ("trigger", "status", "outcome")


@admin.register(CareService)
class CareServiceAdmin(admin.ModelAdmin):
    list_display = ("served_on", "kind", "organization", "households_served", "compound")
    list_filter = ("kind",)
    readonly_fields = ("created_by", "created_at")


@admin.register(PatrolOpinion)
class PatrolOpinionAdmin(ReadOnlyAdmin):
    """Owners' opinions heard on patrols, to look up: recorded and answered on the patrol page
    (the services check who may, keep the name only with consent and write the events)."""

    list_display = ("__str__", "created_at", "inspection", "building", "disposition", "issue")
    list_filter = ("disposition",)
    list_select_related = ("inspection", "building__compound", "issue")
    search_fields = ("content", "reply", "issue__tracking_number")
    date_hierarchy = "created_at"
