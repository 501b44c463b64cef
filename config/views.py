"""Project-level endpoints: the API root (a health check), token login and logout."""

from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import get_token_model
from knox.settings import knox_settings
from knox.views import LogoutAllView, LogoutView
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle
from rest_framework.views import APIView

from config.schema import THROTTLED

API_VERSION = "1"


class ApiRoot(APIView):
    """`GET /api/v1/`: answers 200 with the API version once the database answers."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        responses=inline_serializer(
            "Health",
            {"status": serializers.CharField(), "version": serializers.CharField()},
        )
    )
    def get(self, request):
        connection.ensure_connection()
        return Response({"status": "ok", "version": API_VERSION})


class LoginUsernameThrottle(SimpleRateThrottle):
    """Attempts per username, wherever they come from: an address-only limit is beaten by
    spreading guesses over many addresses."""

    scope = "login_user"

    def get_cache_key(self, request, view):
        username = str(request.data.get("username", "")).strip().casefold()
        if not username:
            return None
        return self.cache_format % {"scope": self.scope, "ident": username}


class TokenLogin(APIView):
    """`POST /api/v1/auth/token/` `{username, password}` → `{"token": "…", "expiry": "…"}`.

    Each login gets its own token; only its SHA-512 digest is stored, and it stops working
    at `expiry` (DJANGO_TOKEN_TTL_HOURS, 10 by default). Throttled per client address so
    passwords cannot be guessed at speed.
    """

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle, LoginUsernameThrottle]
    throttle_scope = "login"
    serializer_class = AuthTokenSerializer

    @extend_schema(
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer(
                "Token", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()}
            ),
            429: THROTTLED,
        },
    )
    def post(self, request):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        instance, token = get_token_model().objects.create(
            user=serializer.validated_data["user"], expiry=knox_settings.TOKEN_TTL
        )
        expiry = serializers.DateTimeField().to_representation(instance.expiry)
        return Response({"token": token, "expiry": expiry})


@extend_schema(request=None, responses={204: None})
class TokenLogout(LogoutView):
    """`POST /api/v1/auth/logout/`: the token used for this request stops working."""


@extend_schema(request=None, responses={204: None})
class TokenLogoutAll(LogoutAllView):
    """`POST /api/v1/auth/logout-all/`: every token of this person stops working."""
