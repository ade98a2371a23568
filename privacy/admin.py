from django.contrib import admin

from privacy.models import ContactAccess, PrivacyEvent


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ContactAccess)
class ContactAccessAdmin(_ReadOnly):
    list_display = ("at", "person", "viewer", "where")
    search_fields = ("person__mobile", "viewer__name", "where")
    raw_id_fields = ("person", "viewer")


@admin.register(PrivacyEvent)
class PrivacyEventAdmin(_ReadOnly):
    list_display = ("at", "person", "verb")
    list_filter = ("verb",)
    raw_id_fields = ("person", "actor")
