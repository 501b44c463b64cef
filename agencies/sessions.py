"""The session engine (`SESSION_ENGINE = "agencies.sessions"`): sessions that know whose
they are.

Django's session stores find a session by its key only, so ending one person's sessions
(they left their agency, were deactivated, changed their password) would mean decoding
every session there is. This engine is the configured store (`SESSION_STORE`: the
database by default; a cache or cached-database store works the same way), plus a small
index (`agencies.models.UserSession`: person, session key, expiry) written whenever a
signed-in session is saved, a new key included (`cycle_key` at login and on a password
change), and removed whenever a session is deleted (logout, flush). `sessions_end` then
finds a person's sessions with one indexed query and deletes them through the store itself.

Sessions saved before this engine was installed are not in the index; they end on the
next request anyway when the password changes (Django's session hash) or the account is
deactivated (the authentication backend refuses inactive accounts).
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.utils import timezone

from agencies.models import UserSession

_Store = import_module(settings.SESSION_STORE).SessionStore


class SessionStore(_Store):
    """The configured store, keeping the person → session index up to date."""

    def save(self, must_create=False):
        super().save(must_create=must_create)
        self._index()

    def delete(self, session_key=None):
        key = session_key if session_key is not None else self.session_key
        super().delete(session_key)
        if key:
            UserSession.objects.filter(session_key=key).delete()

    @classmethod
    def clear_expired(cls):
        """`manage.py clearsessions`: the store's expired sessions, and the index's."""
        super().clear_expired()
        UserSession.objects.filter(expires_at__lte=timezone.now()).delete()

    def _index(self) -> None:
        user_id = getattr(self, "_session_cache", {}).get(SESSION_KEY)
        if not user_id or not self.session_key:
            return  # an anonymous session, or a store without server-side keys
        # One statement, whether the key is new or known: saving is frequent, a second
        # query per save is not needed.
        UserSession.objects.bulk_create(
            [
                UserSession(
                    session_key=self.session_key,
                    user_id=get_user_model()._meta.pk.to_python(user_id),
                    expires_at=self.get_expiry_date(),
                )
            ],
            update_conflicts=True,
            unique_fields=["session_key"],
            update_fields=["user", "expires_at"],
        )


def sessions_end(user, *, keep: str | None = None) -> int:
    """Delete every session of the person but the one whose key is `keep`; returns how many.

    Deleted through the store, so this works whatever the store is; call it inside the
    transaction of the event that ends them (with the database store they go together)."""
    rows = UserSession.objects.filter(user=user)
    if keep:
        rows = rows.exclude(session_key=keep)
    keys = list(rows.values_list("session_key", flat=True))
    store = _Store()
    for key in keys:
        store.delete(key)
    UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)
