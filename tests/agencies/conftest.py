"""Fixtures for the agency registry and staff account tests.

Besides the shared personas, `other_coordinator` coordinates network B, and the agencies
are named for where they sit: `clinic` (network A, practitioners), `council` (network A,
representatives), `secretariat` (runs network A), `stranger_agency` (network B only),
`other_secretariat` (runs network B), `shared` (sits in both), `unseated` (in no network).
"""

import pytest
from rest_framework.test import APIClient

from agencies.models import Agency, Sector, User
from network.models import Tier
from tests.factories import AgencyFactory, seat

PERSONAS = [
    "admin",
    "coordinator",
    "member",
    "colleague",
    "representative",
    "auditor",
    "stranger",
    "anonymous",
]
# People of network A (and its auditor): none of them may ever be shown network B's staff.
NETWORK_A_PEOPLE = ["coordinator", "member", "colleague", "representative", "auditor"]


@pytest.fixture
def person(world):
    """`person(name)`: a persona from the world, `other_coordinator`, or None (anonymous)."""

    def find(name: str) -> User | None:
        if name == "other_coordinator":
            return User.objects.get(username="other_coordinator")
        return world.person(name)

    return find


@pytest.fixture
def client_for(person):
    """`client_for(name)`: a fresh API client logged in as that persona."""

    def make(name: str) -> APIClient:
        client = APIClient()
        user = person(name)
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def agencies(world) -> dict[str, Agency | None]:
    """The agencies of the world by where they sit (see the module docstring)."""
    shared = AgencyFactory(name="若者サポートステーション", sector=Sector.EMPLOYMENT)
    seat(world.network, shared, Tier.PRACTITIONERS)
    seat(world.other_network, shared, Tier.PRACTITIONERS)
    return {
        "clinic": world.member.agency,
        "council": world.representative.agency,
        "secretariat": world.network.secretariat_agency,
        "stranger_agency": world.stranger.agency,
        "other_secretariat": world.other_network.secretariat_agency,
        "shared": shared,
        "unseated": AgencyFactory(name="新設の居場所", sector=Sector.NPO),
        "none": None,
    }
