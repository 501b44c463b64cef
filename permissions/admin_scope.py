"""Scoping the Django admin to what a coordinator runs.

Platform admins see everything. A coordinator (who gets `is_staff` with the role) sees and
edits only the rows belonging to networks they coordinate, picks only among those networks,
agencies and people in forms, and never sees another network's rows: the admin follows the
same rules as the API.
"""

from django.contrib import admin

from permissions import rules, selectors


class CoordinatorScopedAdmin(admin.ModelAdmin):
    """Subclasses say how a row reaches its network (`network_lookup`) and what a
    coordinator may do beyond viewing and changing (`coordinator_may_add/delete`)."""

    network_lookup = "network"
    coordinator_may_add = True
    coordinator_may_change = True
    coordinator_may_delete = False

    @staticmethod
    def is_coordinator(request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and rules.coordinates_anywhere(user)

    def scope(self, request, queryset):
        """Rows of the networks the person coordinates."""
        networks = selectors.coordinated_networks(request.user)
        return queryset.filter(**{f"{self.network_lookup}__in": networks})

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return self.scope(request, queryset)

    def _in_scope(self, request, obj) -> bool:
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_module_permission(self, request):
        return request.user.is_superuser or self.is_coordinator(request)

    def has_view_permission(self, request, obj=None):
        if request.user.is_superuser:
            return super().has_view_permission(request, obj)
        return self.is_coordinator(request) and self._in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        if request.user.is_superuser:
            return super().has_change_permission(request, obj)
        return (
            self.coordinator_may_change
            and self.is_coordinator(request)
            and self._in_scope(request, obj)
        )

    def has_add_permission(self, request):
        if request.user.is_superuser:
            return super().has_add_permission(request)
        return self.coordinator_may_add and self.is_coordinator(request)

    def has_delete_permission(self, request, obj=None):
        if request.user.is_superuser:
            return super().has_delete_permission(request, obj)
        return (
            self.coordinator_may_delete
            and self.is_coordinator(request)
            and self._in_scope(request, obj)
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            choices = self.scoped_choices(db_field.name, request)
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            choices = self.scoped_choices(db_field.name, request)
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def scoped_choices(self, field_name: str, request):
        """What a coordinator may pick for a relation; None leaves Django's default."""
        user = request.user
        if field_name == "network":
            return selectors.coordinated_networks(user)
        if field_name in {"user", "person", "designated_people"}:
            return selectors.visible_users(user).filter(is_superuser=False)
        if field_name in {"agency", "secretariat_agency"}:
            return selectors.manageable_agencies(user)
        return None


class ReadOnlyScopedAdmin(CoordinatorScopedAdmin):
    """Rows the admin only shows: written by the services (pledges, cases, the access log),
    never added, changed or deleted here, by anyone."""

    coordinator_may_add = False
    coordinator_may_change = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
