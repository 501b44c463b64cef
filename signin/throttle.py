"""Failed sign-ins, counted so that guessing is slow without letting anyone lock a person
out from anywhere.

- per username **and** client address (`login_user` rate, DJANGO_LOGIN_USER_RATE): a
  stranger hammering a username from one place does not stop its owner signing in from
  another;
- per username over a rolling day (DJANGO_LOGIN_USER_DAILY_CAP): guesses spread over many
  addresses stop there, and reaching the cap alerts the coordinators of the person's
  networks once a day (`signin.notifications`), and the audit log;
- per client address, every attempt (`login` rate, DRF's ScopedRateThrottle on the view).

Only failures count (a wrong password, a wrong one-time code); a correct sign-in is never
refused for what others did, except past the daily cap, where only a sign-in completed
with a second factor still gets through (see `signin.services.token_sign_in`).
Counts live in the cache, like DRF's throttles (per process unless a shared cache is
configured).
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import Throttled
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from signin import notifications

DAY = 24 * 60 * 60

audit_log = logging.getLogger("renkei.audit")


class _ScopeRate(SimpleRateThrottle):
    """DRF's own reading of a scope's rate in DEFAULT_THROTTLE_RATES (`10/minute`)."""

    def __init__(self, scope: str):
        self.scope = scope
        super().__init__()

    def get_rate(self):
        # Read now, not the class attribute DRF fixed at import (settings may change).
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


def _rate(scope: str) -> tuple[int, int]:
    """`10/minute` → (10, 60), from DRF's DEFAULT_THROTTLE_RATES, read as DRF reads it."""
    rate = _ScopeRate(scope)
    return rate.num_requests, rate.duration


def _key(kind: str, *parts: str) -> str:
    # Hashed: usernames are whatever a client sends, and cache keys must stay plain.
    return f"signin:{kind}:" + hashlib.sha256("\0".join(parts).encode()).hexdigest()[:40]


class LoginGuard:
    """The failure counts of one username tried from one client address."""

    def __init__(self, *, username: str, address: str | None):
        self.username = username.strip()
        ident = self.username.casefold()
        self.address = address or ""
        self._pair = _key("failures", ident, self.address)
        self._day = _key("failures-day", ident)
        self._alerted = _key("cap-alerted", ident)

    @staticmethod
    def _recent(key: str, window: int, now: float) -> list[float]:
        return [t for t in cache.get(key, []) if t > now - window]

    def check(self) -> None:
        """Raise Throttled (429) while this username has failed `login_user` times from
        this address within the rate's period."""
        limit, window = _rate("login_user")
        now = time.time()
        recent = self._recent(self._pair, window, now)
        if len(recent) >= limit:
            raise Throttled(wait=max(1, recent[-limit] + window - now))

    def capped(self) -> bool:
        """Whether the username has reached its daily cap of failures (from anywhere)."""
        cap = settings.LOGIN_USER_DAILY_CAP
        return cap > 0 and len(self._recent(self._day, DAY, time.time())) >= cap

    def refuse_capped(self) -> Throttled:
        """The 429 for a capped username (raise it)."""
        cap = settings.LOGIN_USER_DAILY_CAP
        now = time.time()
        recent = self._recent(self._day, DAY, now)
        wait = recent[-cap] + DAY - now if len(recent) >= cap else 1
        return Throttled(wait=max(1, wait))

    def failed(self) -> None:
        """Count one failure; the failure that reaches the daily cap alerts once a day."""
        now = time.time()
        limit, window = _rate("login_user")
        pair = [*self._recent(self._pair, window, now), now]
        cache.set(self._pair, pair[-limit:], window)
        cap = settings.LOGIN_USER_DAILY_CAP
        if cap <= 0:
            return
        day = [*self._recent(self._day, DAY, now), now]
        cache.set(self._day, day[-cap:], DAY)
        if len(day) >= cap and cache.add(self._alerted, now, DAY):
            audit_log.warning(
                "sign-in: username %r reached %s failed logins within 24 hours "
                "(last from %s); its coordinators are alerted",
                self.username,
                cap,
                self.address,
            )
            notifications.login_cap_reached(username=self.username, failures=cap)
