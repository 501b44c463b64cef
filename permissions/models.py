"""Guardian's direct foreign-key object permission models.

Grant rows point at their object with a real foreign key (not a generic one), so list
queries join on an indexed integer column and a deleted object takes its grants with it.
Rows are written only by `permissions.services`, in response to domain events.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class NetworkUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey("network.Network", on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


class NetworkGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey("network.Network", on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False


class CaseUserObjectPermission(UserObjectPermissionBase):
    """A person's grant on one case, possibly limited in time.

    Time-limited grants (a meeting's invitees, a role holder) carry `valid_from` and
    `valid_until`; the selectors ignore a grant outside its window at read time, whether or
    not `manage.py expire_access` has deleted it yet. `source` names the domain event that
    granted it, so two events may grant the same permission independently and revoking one
    leaves the other.
    """

    content_object = models.ForeignKey("conferences.Case", on_delete=models.CASCADE)
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=64, default="")

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False
        unique_together = ["user", "permission", "content_object", "source"]
        indexes = [models.Index(fields=["user", "content_object"])]


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    """A group's grant on one case: an agency's staff, or a network's coordinators.

    `source` names the domain event, as on personal grants: the submitting agency's own
    grant has none; an agency holding a role has `role:<id>` (facts from the assignment,
    content once it agrees), so withdrawing the role leaves the agency's other grants."""

    content_object = models.ForeignKey("conferences.Case", on_delete=models.CASCADE)
    source = models.CharField(max_length=64, default="")

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False
        unique_together = ["group", "permission", "content_object", "source"]


class AccessRecordQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("access records are never changed")

    def delete(self):
        raise PermissionError("access records are never deleted")


class AccessRecord(models.Model):
    """One response that carried decrypted case content: who, which case, which fields,
    when, through what. Records of a network form a chain: each `hash` covers the record
    and the previous record's hash, so a removed or altered record is detected and located
    by `permissions.selectors.access_chain_verify`. Never updated or deleted through the ORM.
    """

    network = models.ForeignKey(
        "network.Network", related_name="access_records", on_delete=models.PROTECT
    )
    sequence = models.PositiveBigIntegerField()
    at = models.DateTimeField()
    person = models.ForeignKey(
        "agencies.User", related_name="access_records", on_delete=models.PROTECT
    )
    case = models.ForeignKey(
        "conferences.Case", related_name="access_records", on_delete=models.PROTECT
    )
    fields = models.JSONField(default=list)
    via = models.CharField(max_length=200)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AccessRecordQuerySet.as_manager()

    class Meta:
        # Django's internals use the base manager: it must refuse changes too.
        base_manager_name = "objects"
        verbose_name = _("access record")
        verbose_name_plural = _("access records")
        ordering = ["network", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["network", "sequence"], name="access_chain_sequence")
        ]

    def __str__(self):
        return f"#{self.sequence} {self.at:%Y-%m-%d %H:%M} {self.person_id} → {self.case_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("access records are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("access records are never deleted")


class AccessChainHead(models.Model):
    """The last link of a network's access chain, locked while a record is appended."""

    network = models.OneToOneField(
        "network.Network", related_name="access_chain_head", on_delete=models.PROTECT
    )
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    mac = models.CharField(max_length=64, default="")

    def __str__(self):
        return f"{self.network_id}: #{self.sequence}"
