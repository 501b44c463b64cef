"""Second-factor resets in the admin: a read-only record, scoped like the rest."""

from django.contrib import admin

from permissions.admin_scope import ReadOnlyScopedAdmin
from signin.models import SecondFactorReset


@admin.register(SecondFactorReset)
class SecondFactorResetAdmin(ReadOnlyScopedAdmin):
    list_display = ["at", "person", "reset_by", "network"]
    list_select_related = ["person", "reset_by", "network"]
