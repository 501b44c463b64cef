"""Passwords are refused when they resemble what colleagues know the person by."""

import pytest
from django.core.exceptions import ValidationError

from agencies import services
from agencies.models import User

STRONG_PASSWORD = "kirin-to-sakura-no-yoru"


@pytest.mark.parametrize("password", ["tanakahanako", "Hanako.Tanaka", "tanaka-hanako-1"])
def test_a_password_like_the_display_name_is_refused(db, password):
    with pytest.raises(ValidationError) as raised:
        services.user_create(
            username="th0412", password=password, display_name="Tanaka Hanako", agency=None
        )
    assert set(raised.value.message_dict) == {"password"}
    assert not User.objects.filter(username="th0412").exists()


def test_a_password_unlike_the_display_name_is_accepted(db):
    user = services.user_create(
        username="th0412", password=STRONG_PASSWORD, display_name="Tanaka Hanako", agency=None
    )
    assert user.check_password(STRONG_PASSWORD)


def test_the_api_names_the_password_field(api_as, world):
    response = api_as(world.admin).post(
        "/api/v1/users/",
        {
            "username": "th0412",
            "password": "hanako-tanaka",
            "display_name": "Hanako Tanaka",
            "agency": world.member.agency_id,
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"password"}
