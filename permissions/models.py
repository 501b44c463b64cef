"""Guardian's direct foreign-key object permission models.

Grant rows point at their object with a real foreign key (not a generic one), so list
queries join on an indexed integer column and a deleted object takes its grants with it.
Rows are written only by `permissions.services`, in response to domain events.
"""

from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class NetworkUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey("network.Network", on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


class NetworkGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey("network.Network", on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False
