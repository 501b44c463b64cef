"""The OpenAPI description of our token authentication: knox's scheme, by name."""

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme


class SigninTokenScheme(KnoxTokenScheme):
    target_class = "signin.authentication.TokenAuthentication"
