"""The admin for agencies and staff accounts, scoped for coordinators like the API."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, User
from permissions import selectors
from permissions.admin_scope import CoordinatorScopedAdmin


@admin.register(Agency)
class AgencyAdmin(CoordinatorScopedAdmin):
    list_display = ["name", "name_kana", "sector", "phone", "active"]
    list_filter = ["sector", "active"]
    search_fields = ["name", "name_kana"]
    fieldsets = [
        (None, {"fields": ["name", "name_kana", "sector", "active"]}),
        (_("Public contact data"), {"fields": ["address", "phone", "email", "website"]}),
        (
            _("Cooperation preferences"),
            {"fields": ["contact_route", "can_take_on", "conditions"]},
        ),
    ]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=selectors.manageable_agencies(request.user).values("pk"))


@admin.register(User)
class UserAdmin(CoordinatorScopedAdmin, DjangoUserAdmin):
    """Coordinators manage the accounts of agencies they manage; only platform admins
    see or grant administrator rights."""

    list_display = ["username", "display_name", "agency", "job_title", "is_active"]
    list_filter = ["is_active", "agency__sector"]
    search_fields = ["username", "display_name", "email", "agency__name"]
    list_select_related = ["agency"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (
            _("Staff profile"),
            {"fields": ["display_name", "email", "agency", "job_title", "qualifications"]},
        ),
        (_("Status"), {"fields": ["is_active", "is_staff", "is_superuser", "last_login"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "display_name", "agency", "password1", "password2"],
            },
        ),
    ]

    def scope(self, request, queryset):
        agencies = selectors.manageable_agencies(request.user).values("pk")
        return queryset.filter(agency__in=agencies, is_superuser=False)

    def has_change_permission(self, request, obj=None):
        # Coordinators create accounts; changing one (its password above all) is the
        # platform admin's: an account may act in networks the coordinator does not run.
        if not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def get_readonly_fields(self, request, obj=None):
        readonly = ["last_login"]
        if not request.user.is_superuser:
            # `is_staff` follows the coordinator role (permissions.services); nobody but a
            # platform admin makes a platform admin.
            readonly += ["is_staff", "is_superuser"]
        return readonly
