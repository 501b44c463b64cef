from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConferencesConfig(AppConfig):
    name = "conferences"
    verbose_name = _("Meetings and cases")

    def ready(self):
        from conferences.models import (
            NARRATIVE_FIELDS,
            Case,
            Minutes,
            MinutesComment,
            MinutesRevision,
            ProgressNote,
            Review,
            ReviewChange,
            RoleAssignment,
        )
        from conferences.privacy import checks  # noqa: F401  (registers the keyring check)
        from conferences.privacy.encryption import register_encrypted_fields

        register_encrypted_fields(Case, list(NARRATIVE_FIELDS), data_key_field="data_key")
        register_encrypted_fields(Minutes, ["sealed_body"], data_key_field="data_key")
        # Revisions and comments are sealed under their minutes' data key.
        for model in (MinutesRevision, MinutesComment):
            register_encrypted_fields(model, ["sealed_body"], data_key_field="minutes__data_key")
        register_encrypted_fields(
            Review, ["assessment", "support_direction", "notes"], data_key_field="data_key"
        )
        register_encrypted_fields(RoleAssignment, ["tasks"], data_key_field="data_key")
        register_encrypted_fields(ProgressNote, ["note"], data_key_field="data_key")
        register_encrypted_fields(ReviewChange, ["changes"], data_key_field="data_key")
