"""The seed's flow through the API: a review at the case conference, three assignments, one
declined with a reason and replaced, one agreed on behalf, finalisation refused with every
reason listed and then accepted, progress recorded, the case closed."""

import pytest

from conferences.models import Case, CaseStatus, ReviewChange
from tests.conferences.role_fixtures import (
    ASSESSMENT,
    DIRECTION,
    TASKS,
    hold_case_conference,
)
from tests.conftest import sign_pledges
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_role_division_of_the_seed_runs_through_the_api(case_world, api_as, time_machine):
    world = case_world.world
    meeting = hold_case_conference(case_world, api_as, time_machine)
    case = case_world.submitted

    def coordinator_():
        return api_as(world.coordinator)  # one client: log the coordinator back in

    # The review, at the meeting that had the case on its agenda.
    review = coordinator_().post(
        f"/api/v1/cases/{case.pk}/reviews/",
        {
            "meeting": meeting.pk,
            "assessment": ASSESSMENT,
            "support_direction": DIRECTION,
            "next_review_on": "2027-03-10",
        },
        format="json",
    )
    assert review.status_code == 201, review.content
    review = review.json()
    assert (review["assessment"], review["finalized_at"]) == (ASSESSMENT, None)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.REVIEWED
    roles_url = f"/api/v1/reviews/{review['id']}/roles/"

    # Nothing assigned yet: finalising says so.
    refused = coordinator_().post(f"/api/v1/reviews/{review['id']}/finalize/")
    assert refused.status_code == 409
    assert [u["rule"] for u in refused.json()["unmet"]] == ["no_assignment"]

    # Three assignments: the clinic leads (involved now), the employment office and an
    # agency outside the network (to join) take the rest; the outside agency is flagged.
    station = AgencyFactory(name="若者サポートステーション", name_kana="わかもの")
    lead = (
        coordinator_()
        .post(
            roles_url,
            {
                "agency": world.member.agency_id,
                "function": "lead",
                "involvement": "current",
                "tasks": TASKS,
                "due_on": "2027-01-31",
            },
            format="json",
        )
        .json()
    )
    employment = (
        coordinator_()
        .post(
            roles_url,
            {"agency": case_world.peer.agency_id, "function": "employment", "involvement": "new"},
            format="json",
        )
        .json()
    )
    place = (
        coordinator_()
        .post(
            roles_url,
            {
                "agency": station.pk,
                "function": "lead",  # a slip: a second lead
                "involvement": "new",
                "tasks": "居場所プログラムへの参加を案内する。",
            },
            format="json",
        )
        .json()
    )
    assert (lead["outside_network"], place["outside_network"]) == (False, True)
    assert lead["function_display"] == "主担当"
    assert lead["tasks"] == TASKS and lead["agreement"] == "pending"

    # The employment office declines: a reason is required.
    no_reason = api_as(case_world.peer).post(
        f"/api/v1/roles/{employment['id']}/decline/", {}, format="json"
    )
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    declined = api_as(case_world.peer).post(
        f"/api/v1/roles/{employment['id']}/decline/",
        {"reason": "対象年齢の事業が今年度は定員に達しているため。"},
        format="json",
    )
    assert declined.status_code == 200
    assert declined.json()["agreement"] == "declined"

    # Finalising now lists every unmet rule at once.
    refused = coordinator_().post(f"/api/v1/reviews/{review['id']}/finalize/")
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "review_incomplete"
    unmet = {u["rule"]: u.get("roles") for u in body["unmet"]}
    assert unmet == {
        "several_leads": [lead["id"], place["id"]],
        "pending": [lead["id"], place["id"]],
        "declined": [employment["id"]],
    }

    # The slip corrected; the declined role replaced by the 保健所 (asked again: pending).
    health = AgencyFactory(name="保健所", name_kana="ほけんじょ")
    nurse = UserFactory(username="nurse", agency=health)
    from network.models import Tier
    from tests.factories import seat

    seat(world.network, health, Tier.PRACTITIONERS, people=[nurse])
    sign_pledges(world.network, nurse)
    fixed = coordinator_().patch(
        f"/api/v1/roles/{place['id']}/", {"function": "place_to_belong"}, format="json"
    )
    assert fixed.json()["function"] == "place_to_belong"
    replaced = (
        coordinator_()
        .patch(
            f"/api/v1/roles/{employment['id']}/",
            {"agency": health.pk, "function": "family_support"},
            format="json",
        )
        .json()
    )
    assert (replaced["agency"], replaced["agreement"], replaced["decline_reason"]) == (
        health.pk,
        "pending",
        "",
    )

    # The clinic and the 保健所 agree for themselves; the outside agency agreed aloud in
    # the meeting, which the coordinator records on its behalf.
    assert api_as(world.member).post(f"/api/v1/roles/{lead['id']}/agree/").status_code == 200
    assert api_as(nurse).post(f"/api/v1/roles/{employment['id']}/agree/").status_code == 200
    on_behalf = (
        coordinator_()
        .post(
            f"/api/v1/roles/{place['id']}/agree/",
            {"on_behalf": True, "note": "会議の場で口頭で了承を得た。"},
            format="json",
        )
        .json()
    )
    assert (on_behalf["agreement"], on_behalf["agreed_on_behalf"]) == ("agreed", True)
    assert on_behalf["agreed_by"] == world.coordinator.pk

    final = coordinator_().post(f"/api/v1/reviews/{review['id']}/finalize/")
    assert final.status_code == 200, final.content
    assert final.json()["finalized_at"] is not None
    assert Case.objects.get(pk=case.pk).status == CaseStatus.MONITORING
    assert (
        coordinator_()
        .patch(f"/api/v1/reviews/{review['id']}/", {"notes": "追記"}, format="json")
        .json()["code"]
        == "review_final"
    )

    # Progress by the role's agency.
    progress = api_as(world.member).post(
        f"/api/v1/roles/{lead['id']}/progress/",
        {"note": "12月に訪問し、母親と面談した。本人は不在。", "task_status": "in_progress"},
        format="json",
    )
    assert progress.status_code == 201, progress.content
    done = api_as(world.member).post(
        f"/api/v1/roles/{lead['id']}/progress/",
        {"note": "本人と初めて面談できた。", "task_status": "done"},
        format="json",
    )
    assert done.json()["task_status"] == "done"
    notes = coordinator_().get(f"/api/v1/roles/{lead['id']}/progress/").json()
    assert [n["task_status"] for n in notes["results"]] == ["in_progress", "done"]

    # The history keeps every step, and the case closes.
    actions = list(
        ReviewChange.objects.filter(review_id=review["id"]).values_list("action", flat=True)
    )
    assert actions.count("role_added") == 3 and actions.count("declined") == 1
    assert actions[-1] == "progress" and "finalized" in actions
    closed = coordinator_().post(f"/api/v1/cases/{case.pk}/close/", {}, format="json")
    assert closed.status_code == 200
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED
