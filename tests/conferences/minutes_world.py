"""Meetings for the minutes tests, made through the API as a coordinator would: a held case
conference with a case on its agenda (minutes sealed), or a convened representatives'
meeting (minutes in clear)."""

from conferences.models import Meeting

MINUTES = "事例について保健師が訪問を継続し、クリニックが家族面談を担うことを確認した。"


def _new_meeting(client, network, kind: str, title: str) -> str:
    response = client.post(
        "/api/v1/meetings/",
        {
            "network": network.pk,
            "kind": kind,
            "title": title,
            "starts_at": "2026-12-10T14:00:00+09:00",
            "ends_at": "2026-12-10T16:00:00+09:00",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return f"/api/v1/meetings/{response.json()['id']}/"


def held_case_conference(api_as, case_world, time_machine) -> Meeting:
    """Held at 2026-12-10 14:00-16:00 (now 16:30), the submitted case on its agenda; invited:
    member and peer. Its content window ends 14 days after it ended."""
    time_machine.move_to("2026-12-10 13:00 +0900", tick=False)
    client = api_as(case_world.world.coordinator)
    url = _new_meeting(client, case_world.world.network, "case_conference", "事例検討会")
    response = client.post(
        url + "agenda-items/", {"kind": "case_review", "case": case_world.submitted.pk}
    )
    assert response.status_code == 201, response.content
    assert client.post(url + "convene/").status_code == 200
    time_machine.move_to("2026-12-10 16:30 +0900", tick=False)
    assert client.post(url + "hold/").status_code == 200
    return Meeting.objects.get(pk=url.rstrip("/").rsplit("/", 1)[1])


def convened_representatives_meeting(api_as, case_world, time_machine) -> Meeting:
    """Convened (the representative is invited), not yet held."""
    time_machine.move_to("2026-11-21 10:00 +0900", tick=False)
    client = api_as(case_world.world.coordinator)
    url = _new_meeting(client, case_world.world.network, "representatives_meeting", "代表者会議")
    assert client.post(url + "convene/").status_code == 200
    return Meeting.objects.get(pk=url.rstrip("/").rsplit("/", 1)[1])
