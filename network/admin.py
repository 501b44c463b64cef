"""The admin for networks. Writes that carry rules or grants go through network.services."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from network import services
from network.models import ConfidentialityPledge, Membership, Network, StaffRole


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "secretariat_agency", "content_window_days"]
    search_fields = ["name", "municipality"]
    readonly_fields = ["pledge_text_version"]

    def save_model(self, request, obj, form, change):
        if change:
            services.network_update(
                network=obj, **{f: form.cleaned_data[f] for f in form.changed_data}
            )
        else:
            obj.save()


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
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ["agency", "network", "tier", "starts_on", "ends_on"]
    list_filter = ["network", "tier"]
    search_fields = ["agency__name", "agency__name_kana"]
    filter_horizontal = ["designated_people"]
    list_select_related = ["agency", "network"]


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    """Roles are added and removed through the services so that grants follow them."""

    list_display = ["user", "network", "role", "created_at"]
    list_filter = ["network", "role"]
    list_select_related = ["user", "network"]
    fields = ["network", "user", "role"]

    def has_change_permission(self, request, obj=None):
        return False  # a role is added or removed, never edited in place

    def save_model(self, request, obj, form, change):
        role, _created = services.staff_role_add(network=obj.network, user=obj.user, role=obj.role)
        obj.pk = role.pk

    def delete_model(self, request, obj):
        services.staff_role_remove(staff_role=obj)

    def delete_queryset(self, request, queryset):
        for role in queryset:
            services.staff_role_remove(staff_role=role)


@admin.register(ConfidentialityPledge)
class ConfidentialityPledgeAdmin(admin.ModelAdmin):
    """Pledges are signed by each person through the API; the admin only shows them."""

    list_display = ["person", "network", "fiscal_year", "text_version", "signed_at"]
    list_filter = ["network", "fiscal_year"]
    list_select_related = ["person", "network"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.site_header = _("Support network administration")
admin.site.site_title = _("Support network")
