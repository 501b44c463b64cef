"""Personas shared by every test.

Network A (明石市) has a secretariat agency with a coordinator, an auditor, a practitioners'
tier agency with a designated member, and a representatives' tier agency with its head.
Network B (another city) has its own people: `stranger` is one of them. `admin` is the
platform administrator; `anonymous` is nobody at all.
"""

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from agencies.models import Sector, User
from network.models import Network, StaffRole, Tier
from tests.factories import AgencyFactory, NetworkFactory, UserFactory, give_role, seat

PERSONAS = ["coordinator", "member", "representative", "auditor", "admin", "stranger", "anonymous"]


@dataclass
class World:
    network: Network
    other_network: Network
    coordinator: User
    member: User
    colleague: User  # same agency as member, not designated
    representative: User
    auditor: User
    admin: User
    stranger: User

    def person(self, persona: str) -> User | None:
        return None if persona == "anonymous" else getattr(self, persona)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()  # throttles live in the cache
    yield
    cache.clear()


@pytest.fixture
def world(db) -> World:
    secretariat = AgencyFactory(name="相談支援課", sector=Sector.MUNICIPAL)
    network = NetworkFactory(
        name="明石市ひきこもり支援ネットワーク", secretariat_agency=secretariat
    )
    coordinator = UserFactory(
        username="coordinator", agency=secretariat, display_name="事務局 太郎"
    )
    give_role(network, coordinator, StaffRole.Role.COORDINATOR)
    auditor = UserFactory(username="auditor", agency=None, display_name="監査 花子")
    give_role(network, auditor, StaffRole.Role.AUDITOR)

    clinic = AgencyFactory(name="こころのクリニック", sector=Sector.MEDICAL)
    member = UserFactory(username="member", agency=clinic, display_name="実務 一郎")
    colleague = UserFactory(username="colleague", agency=clinic, display_name="同僚 二郎")
    seat(network, clinic, Tier.PRACTITIONERS, people=[member])

    council = AgencyFactory(name="社会福祉協議会", sector=Sector.WELFARE)
    representative = UserFactory(
        username="representative", agency=council, display_name="代表 三郎"
    )
    seat(network, council, Tier.REPRESENTATIVES, people=[representative])

    other_secretariat = AgencyFactory(name="他市福祉課", sector=Sector.MUNICIPAL)
    other_network = NetworkFactory(
        name="他市ネットワーク", municipality="他市", secretariat_agency=other_secretariat
    )
    stranger_agency = AgencyFactory(name="他市NPO", sector=Sector.NPO)
    stranger = UserFactory(username="stranger", agency=stranger_agency, display_name="他市 四郎")
    seat(other_network, stranger_agency, Tier.PRACTITIONERS, people=[stranger])
    give_role(other_network, UserFactory(username="other_coordinator", agency=other_secretariat))

    admin = UserFactory(username="admin", agency=None, is_superuser=True, is_staff=True)
    return World(
        network=network,
        other_network=other_network,
        coordinator=coordinator,
        member=member,
        colleague=colleague,
        representative=representative,
        auditor=auditor,
        admin=admin,
        stranger=stranger,
    )


@pytest.fixture
def api():
    """An API client; `api_as(user)` logs it in (None stays anonymous)."""
    return APIClient()


@pytest.fixture
def api_as(api):
    def login(user: User | None) -> APIClient:
        if user is not None:
            api.force_authenticate(user)
        return api

    return login
