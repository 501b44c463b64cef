"""The one seam through which services read the time, so tests can move it (time-machine)."""

from datetime import date, datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def today() -> date:
    """Today's date in the service's time zone (Asia/Tokyo), not UTC."""
    return timezone.localdate(now())
