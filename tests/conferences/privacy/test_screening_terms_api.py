"""Allowed terms (accepted false positives) and forbidden terms (keyed hashes only)."""

import pytest

from conferences.models import ScreeningTerm
from conferences.privacy.services import term_hash
from tests.conftest import CASE_PERSONAS, make_case

pytestmark = pytest.mark.django_db

MATRIX = {
    "coordinator": 201,
    "member": 403,
    "colleague": 403,
    "peer": 403,
    "representative": 403,
    "auditor": 403,
    "admin": 201,
    "stranger": 404,
    "anonymous": 401,
}


def url(network, kind):
    return f"/api/v1/networks/{network.pk}/{kind}-terms/"


@pytest.mark.parametrize("kind", ["allowed", "forbidden"])
@pytest.mark.parametrize("persona", CASE_PERSONAS)
def test_terms_matrix(api_as, case_world, persona, kind):
    client = api_as(case_world.person(persona))
    network = case_world.world.network
    body = {"term": "大蔵谷", "category": "place_name", "reason": "施設名の一部"}
    response = client.post(url(network, kind), body, format="json")
    assert response.status_code == MATRIX[persona]
    assert ScreeningTerm.objects.filter(kind=kind).exists() == (response.status_code == 201)
    listing = client.get(url(network, kind))
    assert listing.status_code == (200 if MATRIX[persona] == 201 else MATRIX[persona])


def test_accepted_false_positive_is_recorded_and_then_allowed(api_as, case_world):
    world = case_world.world
    text = {"summary": "本人は朝霧台の公園を散歩することがある。"}
    screen = {"network": world.network.pk, "fields": text}
    member = api_as(world.member)
    flagged = member.post("/api/v1/cases/screen/", screen, format="json").json()["findings"]
    assert [f["category"] for f in flagged] == ["place_name"]

    response = api_as(world.coordinator).post(
        url(world.network, "allowed"),
        {"term": "朝霧台", "category": "place_name", "reason": "市内の広域の地区名で特定できない"},
        format="json",
    )
    assert response.status_code == 201
    entry = ScreeningTerm.objects.get()
    assert (entry.term, entry.reason, entry.created_by) == (
        "朝霧台",
        "市内の広域の地区名で特定できない",
        world.coordinator,
    )
    member = api_as(world.member)
    assert member.post("/api/v1/cases/screen/", screen, format="json").json()["findings"] == []


def test_allowed_term_needs_a_reason(api_as, case_world):
    response = api_as(case_world.world.coordinator).post(
        url(case_world.world.network, "allowed"), {"term": "朝霧台"}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()
    assert not ScreeningTerm.objects.exists()


def test_allowed_terms_apply_to_their_network_only(api_as, case_world):
    world = case_world.world
    api_as(world.coordinator).post(
        url(world.network, "allowed"), {"term": "朝霧台", "reason": "地区名"}, format="json"
    )
    other = {"network": world.other_network.pk, "fields": {"s": "朝霧台の公園"}}
    findings = api_as(world.stranger).post("/api/v1/cases/screen/", other, format="json")
    assert findings.json()["findings"] != []


def test_forbidden_term_is_stored_and_listed_only_as_a_hash(api_as, case_world):
    world = case_world.world
    client = api_as(world.coordinator)
    response = client.post(url(world.network, "forbidden"), {"term": "ミドリ荘"}, format="json")
    assert response.status_code == 201
    assert "term" not in response.json()
    entry = ScreeningTerm.objects.get()
    assert entry.term == ""
    assert entry.term_hash == term_hash(world.network, "ミドリ荘")
    assert "ミドリ荘" not in entry.term_hash
    listed = client.get(url(world.network, "forbidden")).content.decode()
    assert "ミドリ荘" not in listed


def test_forbidden_term_blocks_submission(api_as, case_world):
    world = case_world.world
    api_as(world.coordinator).post(
        url(world.network, "forbidden"), {"term": "ミドリ荘"}, format="json"
    )
    draft = make_case(world.member, world.network, summary="本人はミドリ荘で一人暮らしをしている。")
    response = api_as(world.member).post(f"/api/v1/cases/{draft.pk}/submit/")
    assert response.status_code == 422
    assert [f["category"] for f in response.json()["findings"]] == ["forbidden_term"]


def test_same_term_twice_returns_the_existing_entry(api_as, case_world):
    client = api_as(case_world.world.coordinator)
    network = case_world.world.network
    first = client.post(url(network, "forbidden"), {"term": "ミドリ荘"}, format="json")
    again = client.post(url(network, "forbidden"), {"term": " ミドリ荘 "}, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert ScreeningTerm.objects.count() == 1


def test_term_hashes_differ_between_networks(case_world):
    world = case_world.world
    assert term_hash(world.network, "ミドリ荘") != term_hash(world.other_network, "ミドリ荘")
