from django.contrib import admin

from .models import Briefing, BriefingRecipient


class RecipientInline(admin.TabularInline):
    model = BriefingRecipient
    extra = 0
    readonly_fields = ("organization", "acknowledged_at", "response", "responded_at")
    can_delete = False


@admin.register(Briefing)
class BriefingAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "sender", "compound", "sent_at", "public")
    list_filter = ("kind", "public", "compound")
    search_fields = ("title", "body")
    readonly_fields = ("sent_at",)
    inlines = [RecipientInline]
