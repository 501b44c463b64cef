"""Account saves are a domain event for grants: the agency group follows the agency."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from agencies.models import User
from permissions.services import user_agency_group_sync


@receiver(post_save, sender=User, dispatch_uid="permissions.user_agency_group")
def _user_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and "agency" not in update_fields):
        return  # fixtures, and saves that cannot have moved the person (last_login, …)
    user_agency_group_sync(instance)
