"""The admin for networks, in Japanese, usable by coordinators for their own networks.

Writes that carry domain rules or grants go through network.services; every list, form and
choice is scoped by permissions.admin_scope to what the person coordinates.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from config.errors import ApplicationError
from network import services
from network.models import ConfidentialityPledge, Membership, Network, StaffRole
from permissions.admin_scope import CoordinatorScopedAdmin, ReadOnlyScopedAdmin


@admin.register(Network)
class NetworkAdmin(CoordinatorScopedAdmin):
    network_lookup = "pk"
    coordinator_may_add = False  # networks are created by the platform admin
    list_display = [
        "name",
        "municipality",
        "secretariat_agency",
        "content_window_days",
        "require_two_factor",
    ]
    list_filter = ["require_two_factor", "legal_basis"]
    search_fields = ["name", "municipality"]
    readonly_fields = ["pledge_text_version"]

    def save_model(self, request, obj, form, change):
        if change:
            services.network_update(
                network=obj,
                actor=request.user,
                **{f: form.cleaned_data[f] for f in form.changed_data},
            )
        else:
            saved = services.network_create(**{f: form.cleaned_data[f] for f in form.cleaned_data})
            obj.pk = saved.pk


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["network", "agency", "tier", "designated_people", "starts_on", "ends_on"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        candidate = Membership(
            pk=self.instance.pk,
            network=cleaned["network"],
            agency=cleaned["agency"],
            tier=cleaned["tier"],
            starts_on=cleaned["starts_on"],
            ends_on=cleaned.get("ends_on"),
        )
        candidate._state.adding = self.instance._state.adding
        services.membership_validate(
            membership=candidate, designated_people=list(cleaned.get("designated_people") or [])
        )
        return cleaned


@admin.register(Membership)
class MembershipAdmin(CoordinatorScopedAdmin):
    form = MembershipForm
    coordinator_may_delete = True
    list_display = ["agency", "network", "tier", "starts_on", "ends_on"]
    list_filter = ["tier"]
    search_fields = ["agency__name", "agency__name_kana"]
    filter_horizontal = ["designated_people"]
    list_select_related = ["agency", "network"]

    def scoped_choices(self, field_name, request):
        if field_name == "agency":
            return Agency.objects.filter(active=True)  # any registered agency may be seated
        return super().scoped_choices(field_name, request)


@admin.register(StaffRole)
class StaffRoleAdmin(CoordinatorScopedAdmin):
    """Roles are added and removed through the services so that grants follow them."""

    coordinator_may_change = False  # a role is added or removed, never edited in place
    coordinator_may_delete = True
    list_display = ["user", "network", "role", "created_at"]
    list_filter = ["role"]
    list_select_related = ["user", "network"]
    fields = ["network", "user", "role"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and services.staff_role_is_last_coordinator(obj):
            return False  # a network always keeps one coordinator
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        role, _created = services.staff_role_add(network=obj.network, user=obj.user, role=obj.role)
        obj.pk = role.pk

    def delete_model(self, request, obj):
        services.staff_role_remove(staff_role=obj)

    def delete_queryset(self, request, queryset):
        for role in queryset:
            try:
                services.staff_role_remove(staff_role=role)
            except ApplicationError as error:
                self.message_user(request, f"{role}: {error.message}", messages.ERROR)


@admin.register(ConfidentialityPledge)
class ConfidentialityPledgeAdmin(ReadOnlyScopedAdmin):
    """Pledges are signed by each person through the API; the admin only shows them."""

    list_display = ["person", "network", "fiscal_year", "text_version", "signed_at"]
    list_filter = ["fiscal_year"]
    list_select_related = ["person", "network"]


admin.site.site_header = _("Support network administration")
admin.site.site_title = _("Support network")
admin.site.index_title = _("Administration")
