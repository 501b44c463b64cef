"""`GET, POST /api/v1/agencies/` and `GET, PATCH /api/v1/agencies/{id}/` (API.md, "Accounts,
agencies, networks"): the registry is readable by everyone logged in; admins and coordinators
register agencies; an agency's own staff keep its profile, coordinators of a network it sits
in (or of any network while it sits in none) manage it."""

import pytest

from agencies.models import Agency, Sector
from tests.agencies.conftest import PERSONAS
from tests.factories import AgencyFactory

AGENCIES = "/api/v1/agencies/"
CONTRACT_FIELDS = {
    "id",
    "name",
    "name_kana",
    "sector",
    "sector_display",
    "address",
    "phone",
    "email",
    "website",
    "cooperation_preferences",
    "active",
}
NEW_PHONE = "078-918-0000"


def detail(pk) -> str:
    return f"{AGENCIES}{pk}/"


def matrix(table: dict[str, dict[str, int]]) -> list:
    """Flatten {target: {persona: status}} into parametrize rows."""
    return [
        pytest.param(target, persona, status, id=f"{target}-{persona}")
        for target, row in table.items()
        for persona, status in row.items()
    ]


def new_agency(**overrides) -> dict:
    return {"name": "ひきこもり地域支援センター", "sector": "public_health", **overrides}


# --- GET /agencies/ ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"), [(p, 401 if p == "anonymous" else 200) for p in PERSONAS]
)
def test_list_agencies_status_by_persona(world, client_for, persona, expected):
    response = client_for(persona).get(AGENCIES)
    assert response.status_code == expected, response.content


def test_list_agencies_refuses_anonymous_with_detail_and_code(world, client_for):
    response = client_for("anonymous").get(AGENCIES)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert set(response.json()) == {"detail", "code"}


def test_list_agencies_shows_other_networks_agencies_to_a_stranger(world, client_for):
    response = client_for("stranger").get(AGENCIES, {"page_size": 200})
    names = {a["name"] for a in response.json()["results"]}
    assert names == set(Agency.objects.values_list("name", flat=True))
    assert world.member.agency.name in names


def test_list_agencies_has_pagination_shape(world, client_for):
    response = client_for("member").get(AGENCIES, {"page_size": 2})
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == Agency.objects.count()
    assert len(body["results"]) == 2
    assert body["previous"] is None
    assert "page=2" in body["next"]


def test_list_agencies_caps_page_size_at_200(world, client_for):
    Agency.objects.bulk_create(
        Agency(name=f"機関{i:03}", sector=Sector.WELFARE) for i in range(205)
    )
    response = client_for("member").get(AGENCIES, {"page_size": 500})
    body = response.json()
    assert body["count"] == Agency.objects.count() > 200
    assert len(body["results"]) == 200
    assert body["next"] is not None


@pytest.mark.parametrize(("rows", "page_size"), [(5, None), (30, None), (30, 200)])
def test_list_agencies_query_count_is_independent_of_rows_and_page_size(
    world, client_for, django_assert_max_num_queries, rows, page_size
):
    AgencyFactory.create_batch(rows)
    client = client_for("coordinator")
    params = {"page_size": page_size} if page_size else {}
    with django_assert_max_num_queries(2):
        response = client.get(AGENCIES, params)
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(Agency.objects.count(), page_size or 50)


def test_list_agencies_item_has_exactly_the_contract_fields(world, client_for):
    response = client_for("member").get(AGENCIES)
    item = response.json()["results"][0]
    assert set(item) == CONTRACT_FIELDS
    assert set(item["cooperation_preferences"]) == {"contact_route", "can_take_on", "conditions"}


def test_list_agencies_filters_by_sector(world, client_for):
    response = client_for("member").get(AGENCIES, {"sector": "medical"})
    assert [a["name"] for a in response.json()["results"]] == ["こころのクリニック"]


def test_list_agencies_name_filter_matches_kana(world, client_for):
    AgencyFactory(name="明石市保健所", name_kana="あかししほけんじょ", sector=Sector.PUBLIC_HEALTH)
    response = client_for("member").get(AGENCIES, {"name": "ほけんじょ"})
    assert [a["name"] for a in response.json()["results"]] == ["明石市保健所"]


def test_list_agencies_filters_by_active(world, client_for):
    AgencyFactory(name="閉所した事業所", active=False)
    response = client_for("member").get(AGENCIES, {"active": "false"})
    assert [a["name"] for a in response.json()["results"]] == ["閉所した事業所"]


def test_list_agencies_refuses_unknown_sector_filter_with_400(world, client_for):
    response = client_for("member").get(AGENCIES, {"sector": "astrology"})
    assert response.status_code == 400
    assert "sector" in response.json()


# --- GET /agencies/{id}/ ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"), [(p, 401 if p == "anonymous" else 200) for p in PERSONAS]
)
def test_get_agency_status_by_persona(world, client_for, persona, expected):
    response = client_for(persona).get(detail(world.member.agency.pk))
    assert response.status_code == expected, response.content
    if expected == 200:
        assert response.json()["name"] == "こころのクリニック"


@pytest.mark.parametrize(
    "pk", ["999999", "0", "-1", "abc", "1.0", "0x1", "99999999999999999999999"]
)
def test_get_agency_unknown_or_non_integer_id_is_404(world, client_for, pk):
    response = client_for("member").get(detail(pk))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("spelling", ["fullwidth", "trailing_space", "underscore"])
def test_get_agency_other_spelling_of_a_real_id_is_404(world, client_for, spelling):
    # int() alone would take "１", "2 " and "2_0" for real ids: one agency, many addresses.
    pk = world.member.agency.pk
    AgencyFactory.create_batch(10 * pk)  # make sure "1_0"-style ids point at a real row
    path_id = {
        "fullwidth": str(pk).translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        "trailing_space": f"{pk}%20",
        "underscore": "_".join(str(pk * 10)),
    }[spelling]
    response = client_for("member").get(detail(path_id))
    assert response.status_code == 404


def test_get_agency_sector_display_is_japanese_by_default(world, client_for):
    response = client_for("member").get(detail(world.representative.agency.pk))
    body = response.json()
    assert body["sector"] == "welfare"
    assert body["sector_display"] != "Welfare"
    assert body["sector_display"]


def test_get_agency_sector_display_is_english_on_accept_language_en(world, client_for):
    response = client_for("member").get(
        detail(world.representative.agency.pk), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["sector_display"] == "Welfare"


def test_get_agency_returns_cooperation_preferences_nested(world, client_for):
    agency = AgencyFactory(
        contact_route="電話で事前に", can_take_on="家族相談", conditions="平日のみ"
    )
    response = client_for("stranger").get(detail(agency.pk))
    assert response.json()["cooperation_preferences"] == {
        "contact_route": "電話で事前に",
        "can_take_on": "家族相談",
        "conditions": "平日のみ",
    }


def test_delete_agency_is_not_allowed_and_keeps_the_row(world, client_for):
    agency = world.member.agency
    response = client_for("admin").delete(detail(agency.pk))
    assert response.status_code == 405
    assert Agency.objects.filter(pk=agency.pk).exists()


# --- POST /agencies/ --------------------------------------------------------------------

REGISTER = {
    "admin": 201,
    "coordinator": 201,
    "other_coordinator": 201,
    "member": 403,
    "colleague": 403,
    "representative": 403,
    "auditor": 403,
    "stranger": 403,
    "anonymous": 401,
}


@pytest.mark.parametrize(("persona", "expected"), REGISTER.items())
def test_register_agency_status_by_persona(world, client_for, persona, expected):
    response = client_for(persona).post(AGENCIES, new_agency(), format="json")
    assert response.status_code == expected, response.content
    assert Agency.objects.filter(name=new_agency()["name"]).exists() == (expected == 201)


def test_register_agency_refusal_has_permission_denied_code(world, client_for):
    response = client_for("member").post(AGENCIES, new_agency(), format="json")
    assert response.json()["code"] == "permission_denied"
    assert set(response.json()) == {"detail", "code"}


def test_register_agency_stores_and_returns_the_profile(world, client_for):
    body = new_agency(
        name_kana="ひきこもりちいきしえんせんたー",
        address="明石市中崎1-5-1",
        email="center@example.jp",
        website="https://example.jp/",
        cooperation_preferences={"contact_route": "メール", "can_take_on": "訪問支援"},
    )
    response = client_for("coordinator").post(AGENCIES, body, format="json")
    assert response.status_code == 201, response.content
    agency = Agency.objects.get(pk=response.json()["id"])
    assert (agency.sector, agency.address, agency.contact_route, agency.can_take_on) == (
        "public_health",
        "明石市中崎1-5-1",
        "メール",
        "訪問支援",
    )
    assert agency.active is True
    assert response.json()["cooperation_preferences"] == {
        "contact_route": "メール",
        "can_take_on": "訪問支援",
        "conditions": "",
    }


def test_register_agency_ignores_client_supplied_id(world, client_for):
    response = client_for("admin").post(AGENCIES, new_agency(id=424242), format="json")
    assert response.status_code == 201
    assert response.json()["id"] != 424242
    assert not Agency.objects.filter(pk=424242).exists()


def test_register_agency_refuses_unknown_sector(world, client_for):
    response = client_for("admin").post(AGENCIES, new_agency(sector="astrology"), format="json")
    assert response.status_code == 400
    assert isinstance(response.json()["sector"], list)
    assert not Agency.objects.filter(name=new_agency()["name"]).exists()


def test_register_agency_refuses_duplicate_name(world, client_for):
    before = Agency.objects.count()
    response = client_for("admin").post(
        AGENCIES, new_agency(name="こころのクリニック"), format="json"
    )
    assert response.status_code == 400
    assert isinstance(response.json()["name"], list)
    assert Agency.objects.count() == before


def test_register_agency_requires_name_and_sector(world, client_for):
    response = client_for("admin").post(AGENCIES, {}, format="json")
    assert response.status_code == 400
    assert {"name", "sector"} <= set(response.json())


def test_register_agency_refuses_malformed_json(world, client_for):
    before = Agency.objects.count()
    response = client_for("admin").post(
        AGENCIES, data='{"name": "壊れた', content_type="application/json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "code"}
    assert response.json()["code"] == "parse_error"
    assert Agency.objects.count() == before


def test_register_agency_refuses_a_json_list_body(world, client_for):
    response = client_for("admin").post(AGENCIES, data="[]", content_type="application/json")
    assert response.status_code == 400
    assert isinstance(response.json()["non_field_errors"], list)


def test_register_agency_refuses_null_cooperation_preferences(world, client_for):
    response = client_for("admin").post(
        AGENCIES, new_agency(cooperation_preferences=None), format="json"
    )
    assert response.status_code == 400
    assert isinstance(response.json()["cooperation_preferences"], list)


def test_register_agency_refuses_invalid_website(world, client_for):
    response = client_for("admin").post(AGENCIES, new_agency(website="not a url"), format="json")
    assert response.status_code == 400
    assert isinstance(response.json()["website"], list)


def test_register_agency_sector_display_follows_accept_language(world, client_for):
    response = client_for("admin").post(
        AGENCIES, new_agency(sector="welfare"), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["sector_display"] == "Welfare"


# --- PATCH /agencies/{id}/: the profile ---------------------------------------------------

PROFILE_EDIT = {
    "clinic": {
        "admin": 200,
        "coordinator": 200,
        "member": 200,
        "colleague": 200,
        "representative": 403,
        "auditor": 403,
        "stranger": 403,
        "other_coordinator": 403,
        "anonymous": 401,
    },
    "council": {"representative": 200, "coordinator": 200, "member": 403},
    "secretariat": {"coordinator": 200, "other_coordinator": 403, "member": 403},
    "stranger_agency": {
        "admin": 200,
        "stranger": 200,
        "other_coordinator": 200,
        "coordinator": 403,
        "member": 403,
        "auditor": 403,
        "anonymous": 401,
    },
    "other_secretariat": {"other_coordinator": 200, "coordinator": 403},
    "shared": {"coordinator": 200, "other_coordinator": 200, "member": 403, "stranger": 403},
    "unseated": {
        "admin": 200,
        "coordinator": 200,
        "other_coordinator": 200,
        "member": 403,
        "representative": 403,
        "auditor": 403,
        "stranger": 403,
        "anonymous": 401,
    },
}


@pytest.mark.parametrize(("target", "persona", "expected"), matrix(PROFILE_EDIT))
def test_edit_agency_profile_status_by_persona(
    world, agencies, client_for, target, persona, expected
):
    agency = agencies[target]
    old_phone = agency.phone
    response = client_for(persona).patch(detail(agency.pk), {"phone": NEW_PHONE}, format="json")
    assert response.status_code == expected, response.content
    agency.refresh_from_db()
    assert agency.phone == (NEW_PHONE if expected == 200 else old_phone)


def test_edit_agency_refusal_has_permission_denied_code(world, client_for):
    response = client_for("stranger").patch(
        detail(world.member.agency.pk), {"phone": NEW_PHONE}, format="json"
    )
    assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize("pk", ["999999", "abc"])
def test_edit_unknown_or_non_integer_agency_is_404(world, client_for, pk):
    response = client_for("admin").patch(detail(pk), {"phone": NEW_PHONE}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_edit_agency_by_anonymous_on_unknown_id_is_401(world, client_for):
    response = client_for("anonymous").patch(detail(999999), {"phone": NEW_PHONE}, format="json")
    assert response.status_code == 401


def test_edit_agency_returns_the_new_profile(world, client_for):
    response = client_for("member").patch(
        detail(world.member.agency.pk), {"name_kana": "こころのくりにっく"}, format="json"
    )
    assert response.json()["name_kana"] == "こころのくりにっく"
    assert response.json()["name"] == "こころのクリニック"


def test_edit_agency_keeps_the_preferences_not_sent(world, client_for):
    agency = world.member.agency
    Agency.objects.filter(pk=agency.pk).update(contact_route="電話", conditions="予約制")
    response = client_for("member").patch(
        detail(agency.pk), {"cooperation_preferences": {"can_take_on": "医療相談"}}, format="json"
    )
    assert response.status_code == 200, response.content
    agency.refresh_from_db()
    assert (agency.contact_route, agency.can_take_on, agency.conditions) == (
        "電話",
        "医療相談",
        "予約制",
    )


def test_edit_agency_may_keep_its_own_name(world, client_for):
    agency = world.member.agency
    response = client_for("member").patch(
        detail(agency.pk), {"name": agency.name, "phone": NEW_PHONE}, format="json"
    )
    assert response.status_code == 200, response.content


def test_edit_agency_refuses_another_agencys_name(world, client_for):
    agency = world.member.agency
    response = client_for("member").patch(
        detail(agency.pk), {"name": "社会福祉協議会"}, format="json"
    )
    assert response.status_code == 400
    assert isinstance(response.json()["name"], list)
    agency.refresh_from_db()
    assert agency.name == "こころのクリニック"


def test_edit_agency_refuses_unknown_sector(world, client_for):
    agency = world.member.agency
    response = client_for("member").patch(detail(agency.pk), {"sector": "magic"}, format="json")
    assert response.status_code == 400
    assert isinstance(response.json()["sector"], list)
    agency.refresh_from_db()
    assert agency.sector == Sector.MEDICAL


def test_edit_agency_refuses_malformed_json(world, client_for):
    agency = world.member.agency
    response = client_for("member").patch(
        detail(agency.pk), data="{phone: 1}", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert set(response.json()) == {"detail", "code"}


def test_edit_agency_ignores_client_supplied_id(world, client_for):
    agency = world.member.agency
    response = client_for("admin").patch(
        detail(agency.pk), {"id": 424242, "phone": NEW_PHONE}, format="json"
    )
    assert response.json()["id"] == agency.pk
    assert not Agency.objects.filter(pk=424242).exists()


# --- PATCH /agencies/{id}/: `active` -------------------------------------------------------

ACTIVE_EDIT = [
    ("clinic", "admin", 200, None),
    ("clinic", "coordinator", 200, None),
    ("clinic", "member", 403, "manage_agency_only"),
    ("clinic", "colleague", 403, "manage_agency_only"),
    ("clinic", "representative", 403, "permission_denied"),
    ("clinic", "other_coordinator", 403, "permission_denied"),
    ("secretariat", "coordinator", 200, None),
    ("stranger_agency", "stranger", 403, "manage_agency_only"),
    ("stranger_agency", "coordinator", 403, "permission_denied"),
    ("stranger_agency", "other_coordinator", 200, None),
    ("unseated", "coordinator", 200, None),
    ("unseated", "other_coordinator", 200, None),
]


@pytest.mark.parametrize(("target", "persona", "expected", "code"), ACTIVE_EDIT)
def test_deactivate_agency_status_by_persona(
    world, agencies, client_for, target, persona, expected, code
):
    agency = agencies[target]
    response = client_for(persona).patch(detail(agency.pk), {"active": False}, format="json")
    assert response.status_code == expected, response.content
    if code:
        assert response.json()["code"] == code
    agency.refresh_from_db()
    assert agency.active is (expected != 200)


def test_own_staff_refused_active_change_writes_nothing_else(world, client_for):
    agency = world.member.agency
    response = client_for("member").patch(
        detail(agency.pk), {"active": False, "phone": NEW_PHONE}, format="json"
    )
    assert response.status_code == 403
    agency.refresh_from_db()
    assert (agency.active, agency.phone) == (True, "")


def test_coordinator_may_reactivate_an_agency(world, client_for):
    agency = world.member.agency
    Agency.objects.filter(pk=agency.pk).update(active=False)
    response = client_for("coordinator").patch(detail(agency.pk), {"active": True}, format="json")
    assert response.json()["active"] is True
    agency.refresh_from_db()
    assert agency.active is True
