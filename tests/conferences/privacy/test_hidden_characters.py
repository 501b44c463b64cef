"""Bidirectional overrides and invisible characters are refused by the screening, with
their position, like personal data."""

import pytest

from conferences.models import CaseStatus
from conferences.privacy.deidentify import screen
from tests.conftest import make_case

pytestmark = pytest.mark.django_db

HIDDEN = [
    *(chr(c) for c in range(0x202A, 0x202F)),  # embeddings and overrides
    *(chr(c) for c in range(0x2066, 0x206A)),  # isolates
    *(chr(c) for c in range(0x200B, 0x2010)),  # zero-width characters, LRM, RLM
    "\u2060",  # word joiner
    "\ufeff",  # zero-width no-break space (byte-order mark)
]
HIDDEN_CHARACTER = "hidden_character"
CLEAN = "本人は自宅で過ごしている。"


@pytest.mark.parametrize("char", HIDDEN, ids=[f"U+{ord(c):04X}" for c in HIDDEN])
def test_each_hidden_character_is_found_where_it_stands(char):
    text = CLEAN[:3] + char + CLEAN[3:]
    (finding,) = screen({"summary": text})
    assert (finding.field, finding.start, finding.end) == ("summary", 3, 4)
    assert finding.category == HIDDEN_CHARACTER
    assert char not in finding.excerpt
    assert "〔不可視文字〕" in finding.excerpt


def test_a_run_of_hidden_characters_is_one_finding():
    text = "家族の話では\u202e\u2066週3回\u2069通院している。"
    findings = screen({"history": text})
    assert [(f.start, f.end, f.category) for f in findings] == [
        (6, 8, HIDDEN_CHARACTER),
        (11, 12, HIDDEN_CHARACTER),
    ]


def test_a_name_split_by_a_zero_width_space_is_refused_all_the_same():
    text = "山\u200b田さんは外出しない。"
    findings = screen({"summary": text})
    hidden = [f for f in findings if f.category == HIDDEN_CHARACTER]
    assert [(f.start, f.end) for f in hidden] == [(1, 2)]


def test_clean_text_has_no_hidden_character_finding():
    assert screen({"summary": CLEAN}) == []


def test_submit_refuses_hidden_characters_with_their_position(api_as, case_world):
    history = "高校卒業後に就職したが\u202e半年で退職した。"
    member = case_world.world.member
    draft = make_case(member, case_world.world.network, history=history)
    response = api_as(member).post(f"/api/v1/cases/{draft.pk}/submit/")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "personal_data"
    assert body["findings"] == [
        {
            "field": "history",
            "start": 11,
            "end": 12,
            "category": "hidden_character",
            "excerpt": "…業後に就職したが〔不可視文字〕半年で退職した。",
        }
    ]
    draft.refresh_from_db()
    assert (draft.status, draft.code) == (CaseStatus.DRAFT, None)


def test_a_hidden_character_in_the_title_is_refused_too(api_as, case_world):
    member = case_world.world.member
    draft = make_case(member, case_world.world.network, title="長期のひきこもり\ufeff")
    response = api_as(member).post(f"/api/v1/cases/{draft.pk}/submit/")
    assert response.status_code == 422
    assert [
        (f["field"], f["start"], f["end"], f["category"]) for f in response.json()["findings"]
    ] == [("title", 8, 9, "hidden_character")]


def test_the_dry_run_reports_hidden_characters(api_as, case_world):
    response = api_as(case_world.world.member).post(
        "/api/v1/cases/screen/",
        {
            "network": case_world.world.network.pk,
            "fields": {"summary": CLEAN, "questions": "役割分担\u200dについて"},
        },
        format="json",
    )
    assert response.status_code == 200
    assert [
        (f["field"], f["start"], f["end"], f["category"]) for f in response.json()["findings"]
    ] == [("questions", 4, 5, "hidden_character")]
