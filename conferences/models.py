"""Meetings, cases and their keys.

`DataKey` belongs to the field encryption (conferences/encryption.py): one random 256-bit
key per case, stored only wrapped by a key-encryption key (KEK) from the keyring, which
lives outside the database. Destroying a data key makes everything encrypted under it
unrecoverable while the rows themselves (facts, statistics) remain.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataKey(models.Model):
    """A data-encryption key, wrapped (AES-GCM) by the keyring's KEK named `kek_id`."""

    wrapped_key = models.BinaryField(_("wrapped key"), null=True, editable=False)
    kek_id = models.CharField(_("key-encryption key id"), max_length=64, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    destroyed_at = models.DateTimeField(_("destroyed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("data key")
        verbose_name_plural = _("data keys")

    def __str__(self):
        state = "destroyed" if self.destroyed_at else self.kek_id
        return f"DataKey {self.pk} ({state})"
