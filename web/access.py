"""What every web page asks before it runs: a signed-in person, a second factor where their
networks require one, and this fiscal year's pledge for each of their networks. The rules
themselves are `permissions.rules`' and `permissions.selectors`'; this only sends the person
to the page that satisfies them."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse

from permissions import rules
from permissions.selectors import networks_awaiting_pledge
from signin import selectors as signin_selectors


def second_factor_missing(user) -> bool:
    """Whether the person must set up (or sign in with) a second factor before anything:
    a network of theirs requires it and this sign-in was made without one."""
    return rules.second_factor_required(user) and not rules.sign_in_verified(user)


def _with_next(name: str, request):
    return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")


def page(view):
    """A web page for people signed in: anonymous people go to the login page; a sign-in
    without the second factor its networks require goes to set one up (or to sign in again
    with it); a person missing this year's pledge for a network goes to sign it. Each comes
    back where they were going."""

    @wraps(view)
    def inner(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if second_factor_missing(user):
            if signin_selectors.two_factor_enabled(user):
                return redirect_to_login(request.get_full_path())
            return _with_next("web:two_factor", request)
        if networks_awaiting_pledge(user).exists():
            return _with_next("web:pledge", request)
        return view(request, *args, **kwargs)

    return inner


def signed_in(view):
    """A page of one's own account (password, second factor, pledge): signed in is enough."""

    @wraps(view)
    def inner(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return inner
