"""Project-level endpoints: the API root (a health check), token login and logout."""

from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.views import LogoutAllView, LogoutView
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle
from rest_framework.views import APIView

from config.schema import THROTTLED, UNAUTHORIZED
from signin import services as signin_services
from signin.authentication import TokenAuthentication
from signin.serializers import TokenLoginSerializer, TokenSerializer

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


class TokenLogin(APIView):
    """`POST /api/v1/auth/token/` `{username, password, otp}` → `{"token": "…", "expiry": "…"}`.

    Each login gets its own token; only its SHA-512 digest is stored, and it stops working
    at `expiry` (DJANGO_TOKEN_TTL_HOURS, 10 by default). A person with the second factor on
    sends `otp` too (401 `otp_required` / `invalid_otp`), and the token remembers that its
    sign-in was verified. Throttled per client address (every attempt), and failures per
    username and address and per username and day (`signin.throttle`).
    """

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"
    serializer_class = TokenLoginSerializer

    @extend_schema(
        request=TokenLoginSerializer,
        responses={200: TokenSerializer, 401: UNAUTHORIZED, 429: THROTTLED},
    )
    def post(self, request):
        serializer = TokenLoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance, token = signin_services.token_sign_in(
            request=request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
            otp=serializer.validated_data.get("otp", ""),
            address=BaseThrottle().get_ident(request),
        )
        return Response(TokenSerializer({"token": token, "expiry": instance.expiry}).data)


@extend_schema(request=None, responses={204: None})
class TokenLogout(LogoutView):
    """`POST /api/v1/auth/logout/`: the token used for this request stops working."""

    authentication_classes = [TokenAuthentication]


@extend_schema(request=None, responses={204: None})
class TokenLogoutAll(LogoutAllView):
    """`POST /api/v1/auth/logout-all/`: every token of this person stops working."""

    authentication_classes = [TokenAuthentication]
