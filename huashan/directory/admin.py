"""Django admin for the directory: places, organizations, people and their seats.

The admin is for the system administrator; day-to-day work (roster import,
verifying residents) happens on the staff pages, which go through services.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import (
    BaseUserCreationForm,
    SetUnusablePasswordMixin,
    UserChangeForm,
)
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import (
    Building,
    Community,
    Compound,
    Household,
    Membership,
    Organization,
    Person,
    Residency,
    ResidencyEvent,
    Street,
)


@admin.register(Street)
class StreetAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "street")
    list_filter = ("street",)
    search_fields = ("name", "slug")
    list_select_related = ("street",)


class BuildingInline(admin.TabularInline):
    model = Building
    extra = 0
    fields = ("number",)
    show_change_link = True


@admin.register(Compound)
class CompoundAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "community")
    list_filter = ("community",)
    search_fields = ("name", "slug")
    list_select_related = ("community",)
    inlines = (BuildingInline,)


class HouseholdInline(admin.TabularInline):
    model = Household
    extra = 0
    fields = ("unit", "room", "area")
    show_change_link = True


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ("number", "compound")
    list_filter = ("compound",)
    search_fields = ("number", "compound__name")
    list_select_related = ("compound",)
    ordering = ("compound", "sort_key", "number")
    inlines = (HouseholdInline,)


class ResidencyForHouseholdInline(admin.TabularInline):
    model = Residency
    extra = 0
    fields = ("person", "relation", "status", "verified_at")
    readonly_fields = ("verified_at",)
    autocomplete_fields = ("person",)
    show_change_link = True


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ("__str__", "building", "unit", "room", "area")
    list_filter = ("building__compound", "building")
    search_fields = ("room", "unit", "building__number", "building__compound__name")
    list_select_related = ("building__compound",)
    autocomplete_fields = ("building",)
    inlines = (ResidencyForHouseholdInline,)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "scope_display", "phone")
    list_filter = ("kind",)
    search_fields = ("name", "phone")
    list_select_related = ("street", "community", "compound")
    # Webhook endpoints are HTTPS; also silences Django 6's scheme-change warning.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("scope"))
    def scope_display(self, obj: Organization) -> str:
        return str(obj.scope)


class PersonCreationForm(SetUnusablePasswordMixin, BaseUserCreationForm):
    """Django's admin user-creation form, keyed on ``mobile`` instead of ``username``.

    "Password-based authentication: disabled" creates a person who can log in
    only after a staff password reset (as the roster import does).
    """

    usable_password = SetUnusablePasswordMixin.create_usable_password_field()

    class Meta:
        model = Person
        fields = ("mobile", "name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].required = False
        self.fields["password2"].required = False


class PersonChangeForm(UserChangeForm):
    class Meta:
        model = Person
        fields = "__all__"


class ResidencyForPersonInline(admin.TabularInline):
    model = Residency
    extra = 0
    fields = ("household", "relation", "status", "verified_at")
    readonly_fields = ("verified_at",)
    autocomplete_fields = ("household",)
    show_change_link = True


class MembershipForPersonInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("organization", "role", "title", "start", "end")
    autocomplete_fields = ("organization",)


@admin.register(Person)
class PersonAdmin(UserAdmin):
    """Login is by mobile number; there is no username."""

    form = PersonChangeForm
    add_form = PersonCreationForm
    list_display = ("name", "mobile", "is_active", "is_party_member", "is_staff", "is_superuser")
    list_filter = ("is_active", "is_party_member", "is_staff", "is_superuser")
    search_fields = ("name", "mobile", "email")
    ordering = ("name",)
    filter_horizontal = ("groups", "user_permissions")
    readonly_fields = ("last_login", "date_joined")
    inlines = (ResidencyForPersonInline, MembershipForPersonInline)

    def get_inlines(self, request, obj):
        # The add page is only mobile, name and password, as in Django's UserAdmin.
        return self.inlines if obj is not None else ()

    fieldsets = (
        (None, {"fields": ("mobile", "password")}),
        (_("Personal info"), {"fields": ("name", "email", "is_party_member")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("mobile", "name", "usable_password", "password1", "password2"),
            },
        ),
    )


class ResidencyEventInline(admin.TabularInline):
    """The residency's history; event rows are immutable."""

    model = ResidencyEvent
    extra = 0
    can_delete = False
    fields = ("at", "actor", "verb", "from_state", "to_state", "note")
    readonly_fields = fields
    ordering = ("at", "pk")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Residency)
class ResidencyAdmin(admin.ModelAdmin):
    """Read-mostly: verification goes through the staff pages so an event is written."""

    list_display = ("person", "household", "relation", "status", "created_at", "verified_at")
    list_filter = ("status", "relation", "household__building__compound")
    search_fields = ("person__name", "person__mobile", "household__room")
    list_select_related = ("person", "household__building")
    autocomplete_fields = ("person", "household")
    readonly_fields = ("status", "created_at", "verified_at")
    date_hierarchy = "created_at"
    inlines = (ResidencyEventInline,)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("person", "organization", "role", "title", "start", "end")
    list_filter = ("organization__kind", "role", "organization")
    search_fields = ("person__name", "person__mobile", "organization__name", "title")
    list_select_related = ("person", "organization")
    autocomplete_fields = ("person", "organization")
    date_hierarchy = "start"
