from django.contrib import admin

from huashan.accounts.models import AccountEvent, SignInCode, WeChatLink


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


@admin.register(WeChatLink)
class WeChatLinkAdmin(admin.ModelAdmin):
    """Staff may remove a link (a resident changed phones); links are made only by the
    resident, after an SMS code (huashan/accounts/wechat.py)."""

    list_display = ("person", "linked_at")
    search_fields = ("person__mobile", "person__name")
    readonly_fields = ("person", "openid", "unionid", "linked_at")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SignInCode)
class SignInCodeAdmin(admin.ModelAdmin):
    """The SMS send log: read-only, and never the code (only its hash is stored)."""

    list_display = ("created_at", "mobile", "purpose", "sent", "tries", "used_at", "address")
    list_filter = ("purpose", "sent")
    search_fields = ("mobile",)
    exclude = ("code_hash",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
