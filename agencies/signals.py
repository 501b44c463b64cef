"""An account's save is a domain event: `agencies.services.account_saved` runs for every
save that may have moved, deactivated or re-passworded the person, whatever door the save
came through (the API, the admin's forms, a management command)."""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from agencies import services
from agencies.models import User

WATCHED = frozenset({"agency", "agency_id", "is_active", "password"})


def _watched(update_fields) -> bool:
    return update_fields is None or bool(WATCHED & set(update_fields))


@receiver(pre_save, sender=User, dispatch_uid="agencies.account_before")
def _before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    # Read what is stored now (one query) rather than trusting the instance's memory of it:
    # an instance may be stale, or built by hand.
    instance._account_before = None
    if raw or instance.pk is None or not _watched(update_fields):
        return
    instance._account_before = (
        User.objects.filter(pk=instance.pk).values(*services.ACCOUNT_STATE).first()
    )


@receiver(post_save, sender=User, dispatch_uid="agencies.account_saved")
def _saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    if raw or not _watched(update_fields):
        return  # fixtures, and saves that cannot have changed any of it (last_login, …)
    before = None if created else getattr(instance, "_account_before", None)
    instance._account_before = None
    services.account_saved(instance, before=before)
