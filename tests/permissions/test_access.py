"""permissions.access: the one place that decides 404 versus 403."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from agencies.models import Agency, User
from config.errors import Forbidden
from network.models import Network
from permissions.access import get_for_action, get_visible_or_404, require_perm

VIEW = "network.view_network"
COORDINATE = "network.coordinate_network"

SEES_NETWORK = ["coordinator", "auditor", "member", "colleague", "representative", "admin"]


def networks():
    return Network.objects.all()


# --- get_visible_or_404 -------------------------------------------------------------------


@pytest.mark.parametrize("persona", SEES_NETWORK)
def test_visible_object_is_returned(world, persona):
    network = get_visible_or_404(
        networks(), pk=world.network.pk, user=world.person(persona), view_perm=VIEW
    )

    assert network == world.network


@pytest.mark.parametrize("pk_type", [int, str])
def test_the_id_may_be_an_int_or_its_digits(world, pk_type):
    network = get_visible_or_404(
        networks(), pk=pk_type(world.network.pk), user=world.admin, view_perm=VIEW
    )

    assert network == world.network


def test_invisible_object_is_404(world):
    with pytest.raises(Http404):
        get_visible_or_404(networks(), pk=world.network.pk, user=world.stranger, view_perm=VIEW)


def test_anonymous_sees_nothing(world):
    with pytest.raises(Http404):
        get_visible_or_404(networks(), pk=world.network.pk, user=AnonymousUser(), view_perm=VIEW)


def test_missing_object_is_404_even_for_the_admin(world):
    with pytest.raises(Http404):
        get_visible_or_404(networks(), pk=999_999, user=world.admin, view_perm=VIEW)


def test_object_outside_the_queryset_is_404_even_for_the_admin(world):
    with pytest.raises(Http404):
        get_visible_or_404(
            networks().exclude(pk=world.network.pk),
            pk=world.network.pk,
            user=world.admin,
            view_perm=VIEW,
        )


@pytest.mark.parametrize(
    "spelling",
    [
        "abc",
        "",
        "1.0",
        "1e0",
        " {pk}",
        "{pk} ",
        "+{pk}",
        "0x{pk}",
        "{pk}_",
        "{fullwidth}",
        "١",  # an Arabic-Indic one: int() would read it as 1
        None,
        1.0,
        True,
        ["{pk}"],
        "99999999999999999999999999999999",
    ],
)
def test_a_non_integer_id_is_404(world, spelling):
    pk = world.network.pk
    fullwidth = str(pk).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if isinstance(spelling, str):
        spelling = spelling.format(pk=pk, fullwidth=fullwidth)
    elif isinstance(spelling, list):
        spelling = [s.format(pk=pk) for s in spelling]

    with pytest.raises(Http404):
        get_visible_or_404(networks(), pk=spelling, user=world.admin, view_perm=VIEW)


def test_without_a_view_permission_everyone_logged_in_sees_it(world):
    agency = get_visible_or_404(
        Agency.objects.all(), pk=world.member.agency_id, user=world.stranger, view_perm=None
    )

    assert agency == world.member.agency


# --- require_perm -------------------------------------------------------------------------


def test_require_perm_passes_silently_when_held(world):
    require_perm(world.coordinator, COORDINATE, world.network)


def test_require_perm_raises_forbidden_with_the_default_code(world):
    with pytest.raises(Forbidden) as excinfo:
        require_perm(world.member, COORDINATE, world.network)

    assert excinfo.value.code == "permission_denied"
    assert excinfo.value.status_code == 403


def test_require_perm_carries_the_given_code(world):
    with pytest.raises(Forbidden) as excinfo:
        require_perm(world.coordinator, "network.add_network", None, code="platform_admin_only")

    assert excinfo.value.code == "platform_admin_only"


def test_require_perm_model_wide_passes_for_the_admin(world):
    require_perm(world.admin, "network.add_network", None, code="platform_admin_only")


# --- get_for_action -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "outcome"),
    [
        ("coordinator", "ok"),
        ("admin", "ok"),
        ("auditor", Forbidden),
        ("member", Forbidden),
        ("colleague", Forbidden),
        ("representative", Forbidden),
        ("stranger", Http404),
    ],
)
def test_get_for_action_decides_between_the_object_403_and_404(world, persona, outcome):
    def act():
        return get_for_action(
            networks(),
            pk=world.network.pk,
            user=world.person(persona),
            view_perm=VIEW,
            action_perm=COORDINATE,
        )

    if outcome == "ok":
        assert act() == world.network
    else:
        with pytest.raises(outcome):
            act()


def test_get_for_action_on_a_missing_object_is_404_not_403(world):
    with pytest.raises(Http404):
        get_for_action(
            networks(), pk=999_999, user=world.member, view_perm=VIEW, action_perm=COORDINATE
        )


def test_get_for_action_never_says_403_about_what_is_not_visible(world):
    """Network B's coordinator must get 404 on network A, not 403."""
    other_coordinator = User.objects.get(username="other_coordinator")
    assert other_coordinator.has_perm(COORDINATE, world.other_network)

    with pytest.raises(Http404):
        get_for_action(
            networks(),
            pk=world.network.pk,
            user=other_coordinator,
            view_perm=VIEW,
            action_perm=COORDINATE,
        )


def test_get_for_action_with_the_same_perm_for_view_and_action_is_404_when_missing(world):
    with pytest.raises(Http404):
        get_for_action(
            networks(), pk=world.network.pk, user=world.stranger, view_perm=VIEW, action_perm=VIEW
        )


def test_get_for_action_with_no_view_perm_gives_403_to_everyone_without_the_action(world):
    with pytest.raises(Forbidden):
        get_for_action(
            Agency.objects.all(),
            pk=world.network.secretariat_agency_id,
            user=world.stranger,
            view_perm=None,
            action_perm="agencies.manage_agency",
        )
