from django.contrib import admin

from huashan.accounts.models import AccountEvent


@admin.register(AccountEvent)
class AccountEventAdmin(admin.ModelAdmin):
    """Read-only: event rows are immutable (DESIGN.md §4 "Events")."""

    list_display = ("at", "person", "verb", "actor")
    list_filter = ("verb",)
    search_fields = ("person__mobile", "person__name", "actor__name")
    raw_id_fields = ("person", "actor")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
