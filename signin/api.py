"""HTTP endpoints of the second factor: a person's own (`/me/two-factor/`) and
coordinators' resets. Validate, call one service or selector, serialize."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import User
from config.schema import BodyOnDeleteSchema
from permissions import rules
from permissions.access import get_visible_or_404, require
from permissions.selectors import own_networks, visible_networks
from permissions.services import second_factor_require
from signin import selectors, services
from signin.serializers import (
    CodeSerializer,
    EnrolmentSerializer,
    RecoveryCodesSerializer,
    ResetRequestSerializer,
    ResetSerializer,
    TwoFactorStatusSerializer,
)


class MyTwoFactor(APIView):
    """GET: whether the second factor is on, and recovery codes left. POST: start setting up
    an authenticator (a new secret). DELETE `{code}`: turn it off (409 `two_factor_required`
    where a network of yours requires it)."""

    schema = BodyOnDeleteSchema()

    @extend_schema(responses=TwoFactorStatusSerializer)
    def get(self, request):
        return Response(TwoFactorStatusSerializer(selectors.two_factor_status(request.user)).data)

    @extend_schema(request=None, responses={201: EnrolmentSerializer})
    def post(self, request):
        device = services.enrolment_start(user=request.user)
        body = {"secret": services.otpauth_secret(device), "otpauth_uri": device.config_url}
        return Response(EnrolmentSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CodeSerializer, responses={204: None})
    def delete(self, request):
        body = CodeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.two_factor_disable(user=request.user, code=body.validated_data["code"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyTwoFactorConfirm(APIView):
    """POST `{code}`: a current code from the new authenticator turns the second factor on;
    answers the 10 recovery codes, this once. The sign-in that confirms counts as made
    with the second factor."""

    @extend_schema(request=CodeSerializer, responses=RecoveryCodesSerializer)
    def post(self, request):
        body = CodeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # Not one transaction: a wrong code's count towards the device's throttle must stay.
        device, codes = services.enrolment_confirm(
            user=request.user, code=body.validated_data["code"]
        )
        services.sign_in_verified(request=request, device=device)
        return Response(RecoveryCodesSerializer({"recovery_codes": codes}).data)


class TwoFactorResets(APIView):
    """POST `{user}`: a coordinator of the network clears the second factor of a person of
    that network (audited), who then enrols again. 404 for a network or person you may not
    see (a person of another network included); 403 `coordinator_only` for others who see
    the network; 403 `otp_required` for a coordinator not signed in with a second factor
    where the network requires one."""

    @extend_schema(request=ResetRequestSerializer, responses={201: ResetSerializer})
    def post(self, request, network_pk):
        network = get_visible_or_404(
            visible_networks(request.user), pk=network_pk, user=request.user, view_perm=None
        )
        require(rules.may_reset_second_factor(request.user, network), code="coordinator_only")
        second_factor_require(person=request.user, network=network)
        body = ResetRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        person = User.objects.filter(pk=body.validated_data["user"]).first()
        if person is None or not own_networks(person).filter(pk=network.pk).exists():
            raise Http404
        reset = services.second_factor_reset(actor=request.user, network=network, person=person)
        return Response(ResetSerializer(reset).data, status=status.HTTP_201_CREATED)
