"""Rules of the form "may this person …", each stated once.

The second factor: a network with `require_two_factor` shows case content only to a
sign-in made with a second factor. A sign-in is verified when its authentication says so:
`user.is_verified()` is installed on the request's user by django-otp's OTPMiddleware for
sessions and by `signin.authentication.TokenAuthentication` for API tokens. A user object
without it (loaded from the database, or forced in tests) is an unverified sign-in: the rule
fails closed.
"""

from permissions import selectors


def sign_in_verified(user) -> bool:
    """Whether this sign-in (the request's session or token) was made with a second factor."""
    is_verified = getattr(user, "is_verified", None)
    return bool(callable(is_verified) and is_verified())


def second_factor_satisfied(user, network) -> bool:
    """Whether the person, signed in as they are, may be shown the network's case content as
    far as the second factor goes (the other rules still apply): always where the network
    does not require one, else only to a verified sign-in."""
    return not network.require_two_factor or sign_in_verified(user)


def second_factor_required(user) -> bool:
    """Whether the person must keep a second factor: a network they belong to requires it,
    or they use the admin (which always does)."""
    if user.is_staff:
        return True
    return selectors.own_networks(user).filter(require_two_factor=True).exists()


def may_reset_second_factor(actor, network) -> bool:
    """Coordinators of the network reset its people's second factor (not their own:
    `signin.services.second_factor_reset` refuses that)."""
    return selectors.coordinates(actor, network)
