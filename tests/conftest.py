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
from conferences.privacy.encryption import create_keyring_file, get_keyring
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
def keyring_file(settings, tmp_path):
    """Every test gets a fresh keyring (one active key, a hash key) at KEYRING_FILE, and no
    process-wide cached copy of another test's."""
    path = tmp_path / "keyring" / "keyring.json"
    create_keyring_file(path)
    settings.KEYRING_FILE = path
    get_keyring.cache_clear()
    yield path
    get_keyring.cache_clear()


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


def verified_login(client, user):
    """Log a Django test client in as the admin wants it, with a second factor: the person
    gets an authenticator if they have none, and the session counts as verified by it
    (what signing in with a code does; tests/signin/ goes through the real forms)."""
    import os

    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from signin import services as signin_services

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = signin_services.authenticator_set(user=user, secret=os.urandom(20))
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def api():
    """An API client; `api_as(user)` logs it in (None stays anonymous)."""
    return APIClient()


@pytest.fixture
def api_as(api):
    def login(user: User | None) -> APIClient:
        api.force_authenticate(user)  # None logs out whoever the client was before
        return api

    return login


CLEAN_CASE = {
    "title": "長期のひきこもりと家族の疲弊",
    "age_band": "30s",
    "gender": "male",
    "household": "with_parents",
    "withdrawal_duration": "10_20y",
    "consent_basis": "family",
    "summary": "30代の本人は10年以上自宅からほとんど外出していない。母親が窓口に相談した。",
    "history": "高校卒業後に就職したが半年で退職し、その後は自室で過ごすことが多い。",
    "current_support": "保健師が月1回の家庭訪問を続けている。本人とは会えていない。",
    "difficulties": "家族が高齢になり、今後の生活への不安が強い。",
    "questions": "本人への接触の方法と、家族支援の役割分担について検討したい。",
}


@dataclass
class CaseWorld:
    """The world, with pledges signed, a peer practitioner agency, and cases of the clinic
    (the member's agency): a draft and a submitted one."""

    world: World
    peer: User  # designated practitioner of another agency in network A
    draft: object
    submitted: object

    def person(self, persona: str) -> User | None:
        if persona == "peer":
            return self.peer
        return self.world.person(persona)


CASE_PERSONAS = [
    "coordinator",
    "member",
    "colleague",
    "peer",
    "representative",
    "auditor",
    "admin",
    "stranger",
    "anonymous",
]


def sign_pledges(network, *people):
    from network import services as network_services

    for person in people:
        network_services.pledge_sign(person=person, network=network)


def make_case(author, network, *, submit=False, **overrides):
    from conferences.cases import services as case_services

    fields = {**CLEAN_CASE, **overrides}
    case = case_services.case_create(author=author, network=network, **fields)
    if submit:
        case = case_services.case_submit(actor=author, case=case)
    return case


@pytest.fixture
def case_world(world) -> CaseWorld:
    peer_agency = AgencyFactory(name="ハローワーク", sector=Sector.EMPLOYMENT)
    peer = UserFactory(username="peer", agency=peer_agency, display_name="就労 五郎")
    seat(world.network, peer_agency, Tier.PRACTITIONERS, people=[peer])
    sign_pledges(
        world.network,
        world.coordinator,
        world.member,
        world.colleague,
        world.representative,
        world.auditor,
        peer,
    )
    return CaseWorld(
        world=world,
        peer=peer,
        draft=make_case(world.member, world.network),
        submitted=make_case(world.member, world.network, submit=True),
    )
