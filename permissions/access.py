"""The one place that decides 404 versus 403.

A person who may not see a thing gets 404, exactly as if it did not exist; one who may see
it but may not do what they asked gets 403. Views call these helpers and nothing else for
that decision.
"""

from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from config.errors import ApplicationError, Forbidden
from config.inputs import parse_id
from network.models import Network
from permissions.selectors import audited_networks


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


def get_network_to_verify(user, pk) -> Model:
    """The network whose access chain the person asks to verify: `pk`, or when it is None
    the one network they audit.

    Verifying a chain is the auditor's alone, and Django's superuser shortcut does not make
    a platform admin one. Hence 404 for whoever does not see the network in a role of their
    own, the platform admin included (they see every network only to administer it); 403
    `auditor_only` for whoever sees it as its coordinator, member or representative but
    does not audit it. Without `pk`: 404 for whoever audits no network at all, 400
    `network_required` for whoever audits several.
    """
    audited = audited_networks(user)
    if pk is None:
        candidates = list(audited[:2])
        if not candidates:
            raise Http404
        if len(candidates) > 1:
            raise ApplicationError("network_required", _("Say which network: ?network=<id>."))
        return candidates[0]
    try:
        network_id = parse_id(pk)  # out of range too: no such network
    except ValueError:
        raise Http404 from None
    network = audited.filter(pk=network_id).first()
    if network is not None:
        return network
    network = Network.objects.filter(pk=network_id).first()
    if network is None or user.is_superuser or not user.has_perm("network.view_network", network):
        raise Http404
    raise Forbidden("auditor_only", _("Only a network's auditor verifies its log."))
