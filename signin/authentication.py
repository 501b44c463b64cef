"""API token authentication that knows whether the token's sign-in used a second factor."""

from functools import cache

from knox.auth import TokenAuthentication as KnoxTokenAuthentication

from signin import selectors


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's token authentication, plus `request.user.is_verified()` as django-otp's
    OTPMiddleware installs it for sessions: true when the token was issued to a sign-in
    made with a second factor. Asked lazily (one query, at most once per request), so
    requests that never meet the question pay nothing."""

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        user.otp_device = None  # django-otp's attribute: no device object for a token
        user.is_verified = cache(lambda: selectors.token_verified(token))
        return user, token
