from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Notification, NotificationEvent
from .services import notification_requeue


class NotificationEventInline(admin.TabularInline):
    model = NotificationEvent
    extra = 0
    can_delete = False
    fields = ("at", "actor", "verb", "from_state", "to_state", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = (
        "subject",
        "channel",
        "status",
        "recipient",
        "organization",
        "attempts",
        "created_at",
        "next_attempt_at",
        "delivered_at",
    )
    list_filter = ("status", "channel")
    search_fields = ("subject", "recipient__name", "recipient__mobile", "organization__name")
    date_hierarchy = "created_at"
    list_select_related = ("recipient", "organization")
    raw_id_fields = ("recipient", "organization")
    readonly_fields = (
        "status",
        "attempts",
        "last_error",
        "created_at",
        "claimed_at",
        "delivered_at",
        "read_at",
    )
    inlines = (NotificationEventInline,)
    actions = ("requeue",)

    @admin.action(description=_("Re-queue selected notifications for delivery"))
    def requeue(self, request, queryset):
        count = notification_requeue(actor=request.user, notifications=queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d notification re-queued.",
                "%(count)d notifications re-queued.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
