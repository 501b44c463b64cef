"""The admin for cases: facts only. Narratives appear as what the database holds,
ciphertext, never in clear; nothing here unseals. Writes go through the API's services."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from conferences.models import NARRATIVE_FIELDS, Case, CaseTransition, ScreeningTerm
from permissions.admin_scope import ReadOnlyScopedAdmin
from permissions.models import AccessRecord
from permissions.selectors import visible_cases


def _sealed_preview(blob) -> str:
    if blob is None:
        return "—"
    data = bytes(blob)
    return f"{data[:12].hex(' ')} … ({len(data)} bytes, sealed)"


class CaseTransitionInline(admin.TabularInline):
    model = CaseTransition
    fields = ["at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyScopedAdmin):
    list_display = ["code", "network", "submitting_agency", "status", "age_band", "submitted_at"]
    list_filter = ["status", "age_band", "consent_basis"]
    search_fields = ["code"]
    list_select_related = ["network", "submitting_agency"]
    inlines = [CaseTransitionInline]
    fields = [
        "network",
        "code",
        "submitting_agency",
        "status",
        "age_band",
        "gender",
        "household",
        "withdrawal_duration",
        "consent_basis",
        "submitted_at",
        "closed_at",
        "purged_at",
        *[f"{field}_sealed" for field in NARRATIVE_FIELDS],
    ]
    readonly_fields = fields

    def scope(self, request, queryset):
        # Exactly the cases the API shows the person (drafts stay the agency's).
        return queryset.filter(pk__in=visible_cases(request.user).values("pk"))

    @admin.display(description=_("summary (sealed)"))
    def summary_sealed(self, case):
        return _sealed_preview(case.summary)

    @admin.display(description=_("history (sealed)"))
    def history_sealed(self, case):
        return _sealed_preview(case.history)

    @admin.display(description=_("current support (sealed)"))
    def current_support_sealed(self, case):
        return _sealed_preview(case.current_support)

    @admin.display(description=_("difficulties (sealed)"))
    def difficulties_sealed(self, case):
        return _sealed_preview(case.difficulties)

    @admin.display(description=_("questions for the meeting (sealed)"))
    def questions_sealed(self, case):
        return _sealed_preview(case.questions)


@admin.register(ScreeningTerm)
class ScreeningTermAdmin(ReadOnlyScopedAdmin):
    list_display = ["network", "kind", "__str__", "category", "created_by", "created_at"]
    list_filter = ["kind"]
    fields = ["network", "kind", "term", "term_hash", "category", "reason", "created_by"]
    readonly_fields = fields


@admin.register(AccessRecord)
class AccessRecordAdmin(ReadOnlyScopedAdmin):
    """The access log, for reading: it is never changed or deleted, here or anywhere."""

    list_display = ["network", "sequence", "at", "person", "case", "via"]
    list_filter = ["via"]
    list_select_related = ["network", "person", "case"]
    fields = [
        "network",
        "sequence",
        "at",
        "person",
        "case",
        "fields",
        "via",
        "previous_hash",
        "hash",
    ]
    readonly_fields = fields


admin.site.empty_value_display = _("(none)")
