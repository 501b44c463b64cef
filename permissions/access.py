"""The one place that decides 404 versus 403.

A person who may not see a thing gets 404, exactly as if it did not exist; one who may see
it but may not do what they asked gets 403. Views call these helpers and nothing else for
that decision.
"""

from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from config.errors import Forbidden
from config.inputs import parse_id


def get_visible_or_404(queryset: QuerySet, *, pk, user, view_perm: str | None) -> Model:
    """Fetch one object the person may see, or raise Http404 (absent and invisible alike).

    `view_perm=None` means the object is visible to everyone logged in (the agency
    registry). A `pk` that is not an id (`config.inputs.parse_id`: ASCII digits, within
    64 bits) is also a 404: nothing is there to see.
    """
    try:
        obj = queryset.get(pk=parse_id(pk))
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if view_perm is not None and not user.has_perm(view_perm, obj):
        raise Http404
    return obj


def require_perm(user, perm: str, obj: Model | None, *, code: str = "permission_denied") -> None:
    """Raise 403 (`Forbidden` with `code`) unless the person holds `perm` on `obj`.

    Call it only after the person is known to see `obj`, so that 403 reveals nothing.
    """
    if not user.has_perm(perm, obj):
        raise Forbidden(code, _("You do not have permission to perform this action."))


def get_for_action(
    queryset: QuerySet,
    *,
    pk,
    user,
    view_perm: str | None,
    action_perm: str,
    code: str = "permission_denied",
) -> Model:
    """404 if the person may not see the object, 403 (with `code`) if they see it but may not
    act on it."""
    obj = get_visible_or_404(queryset, pk=pk, user=user, view_perm=view_perm)
    if action_perm != view_perm:  # already checked: asking again costs queries, not safety
        require_perm(user, action_perm, obj, code=code)
    return obj


def require(allowed: bool, *, code: str) -> None:
    """Raise 403 (`Forbidden` with `code`) unless `allowed`; for decisions a selector made."""
    if not allowed:
        raise Forbidden(code, _("You do not have permission to perform this action."))
