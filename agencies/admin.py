from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, User


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
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


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "display_name", "agency", "job_title", "is_active"]
    list_filter = ["is_active", "is_superuser", "agency__sector"]
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
    readonly_fields = ["last_login"]
