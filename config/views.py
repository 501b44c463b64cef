"""Project-level endpoints: the API root (a health check) and the token login."""

from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

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


class TokenLogin(ObtainAuthToken):
    """`POST /api/v1/auth/token/` `{username, password}` → `{"token": "…"}`.

    Throttled per client address so passwords cannot be guessed at speed.
    """

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"
