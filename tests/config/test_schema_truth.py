"""The served OpenAPI schema tells the truth: every operation under /api/v1/ is exercised
once with realistic data (the personas of tests/conftest.py and the role-division world),
and each response is checked against what /api/schema/ says of that operation and status:
the status is documented, the media type is the one documented, and a JSON body validates
against the documented schema (OpenAPI 3.0 rules: `nullable`, read-only fields, formats).
The JSON request bodies sent are checked against the documented request bodies too.

A URL pattern under /api/v1/ (or one of its methods) without a sample here fails the test:
an endpoint added without a sample is an endpoint whose schema nobody checked."""

import json
import re
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator, oas30_format_checker
from rest_framework.test import APIClient

from agencies.models import User
from tests.conferences.role_fixtures import ASSESSMENT, DIRECTION, TASKS, RoleWorld
from tests.factories import PASSWORD, AgencyFactory, UserFactory
from tests.signin.conftest import code_for, enrol

API = "/api/v1"
METHODS = ("get", "post", "put", "patch", "delete")


@dataclass
class Sample:
    method: str
    template: str  # the schema's path, e.g. /api/v1/cases/{id}/
    status: int
    content_type: str
    body: object  # parsed JSON, or None
    request_json: object = None
    raw: bytes = b""


@dataclass
class Recorder:
    """Makes the requests and keeps one sample per response."""

    samples: list[Sample] = field(default_factory=list)

    def call(self, client, method, template, *, data=None, query=None, expect=None, **ids):
        url = template
        for name, value in ids.items():
            url = url.replace("{" + name + "}", str(value))
        assert "{" not in url, f"unfilled path parameter in {url}"
        kwargs = {}
        if method == "get":
            response = client.get(url, query or {})
        else:
            if query:
                url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
            if data is not None:
                kwargs = {"data": data, "format": "json"}
            response = getattr(client, method)(url, **kwargs)
        content_type = response.get("Content-Type", "").split(";")[0].strip()
        body = None
        raw = response.content if hasattr(response, "content") else b""
        if content_type == "application/json" and raw:
            body = json.loads(raw)
        if expect is not None:
            assert response.status_code == expect, (
                f"{method.upper()} {url}: {response.status_code} {raw.decode()[:500]}"
            )
        self.samples.append(
            Sample(method, template, response.status_code, content_type, body, data, raw)
        )
        return body if body is not None else response


def api_operations() -> set[tuple[str, str]]:
    """(method, schema path) for every URL pattern under /api/v1/ and every method its view
    answers, from Django's URL resolver (not from the schema, which could leave one out)."""

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p.callback

    found = set()
    for route, callback in walk(get_resolver().url_patterns, "/"):
        if not route.startswith(API + "/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{" + m.group(1) + "}", route)
        path = path.replace("{pk}", "{id}")
        view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        for method in METHODS:
            if view is not None and hasattr(view, method):
                found.add((method, path))
    return found


def served_schema() -> dict:
    from tests.factories import UserFactory as Users

    client = APIClient()
    client.force_authenticate(Users(username="schema_reader", is_superuser=True))
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def problems_of(spec: dict, sample: Sample) -> list[str]:
    where = f"{sample.method.upper()} {sample.template} → {sample.status}"
    operation = spec["paths"].get(sample.template, {}).get(sample.method)
    if operation is None:
        return [f"{where}: the operation is not in the schema"]
    problems = []
    request_body = (operation.get("requestBody") or {}).get("content", {})
    if sample.request_json is not None and 200 <= sample.status < 300:
        media = request_body.get("application/json")
        if media is None:
            problems.append(f"{where}: a JSON body was accepted but none is documented")
        else:
            problems += [
                f"{where}: request body: {e.message} at {list(e.absolute_path)}"
                for e in _validator(spec, media["schema"], OAS30WriteValidator).iter_errors(
                    sample.request_json
                )
            ]
    documented = operation["responses"].get(str(sample.status))
    if documented is None:
        return [*problems, f"{where}: status not documented ({sorted(operation['responses'])})"]
    content = documented.get("content") or {}
    if not sample.raw:
        if content and sample.status != 204:
            problems.append(f"{where}: empty body, schema documents {sorted(content)}")
        return problems
    if sample.content_type not in content:
        return [*problems, f"{where}: {sample.content_type} not in {sorted(content)}"]
    schema = content[sample.content_type].get("schema")
    if sample.body is not None and schema is not None:
        problems += [
            f"{where}: {e.message} at {list(e.absolute_path)}"
            for e in _validator(spec, schema, OAS30ReadValidator).iter_errors(sample.body)
        ]
    return problems


def _validator(spec, schema, cls):
    return cls({**schema, "components": spec["components"]}, format_checker=oas30_format_checker)


def exercise_every_endpoint(rw: RoleWorld) -> Recorder:
    """One request (at least) per operation, in an order that makes each one succeed, plus
    the contract's error answers (400, 401, 403, 404, 409, 422)."""
    w = rw.world
    rec = Recorder()
    call = rec.call
    member, coordinator, auditor, admin = w.member, w.coordinator, w.auditor, w.admin
    net = w.network.pk
    anonymous = APIClient()

    # The root, token login and logout.
    call(anonymous, "get", f"{API}/", expect=200)
    login = {"username": "member", "password": PASSWORD}
    for logout in ("logout", "logout-all"):
        client = APIClient()
        token = call(client, "post", f"{API}/auth/token/", data=login, expect=200)["token"]
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        call(client, "post", f"{API}/auth/{logout}/", expect=204)
    call(anonymous, "post", f"{API}/auth/token/", data={**login, "password": "x"}, expect=400)

    # Agencies and accounts.
    as_coordinator = APIClient()
    as_coordinator.force_authenticate(coordinator)
    as_member = APIClient()
    as_member.force_authenticate(member)
    as_admin = APIClient()
    as_admin.force_authenticate(admin)
    as_auditor = APIClient()
    as_auditor.force_authenticate(auditor)
    as_third = APIClient()
    as_third.force_authenticate(rw.third)
    as_peer = APIClient()
    as_peer.force_authenticate(rw.cw.peer)

    call(as_member, "get", f"{API}/agencies/", expect=200)
    agency = call(
        as_coordinator,
        "post",
        f"{API}/agencies/",
        data={
            "name": "地域若者支援センター",
            "name_kana": "ちいきわかものしえんせんたー",
            "sector": "npo",
            "address": "明石市大明石町1-1",
            "phone": "078-000-0000",
            "cooperation_preferences": {"contact_route": "電話で", "can_take_on": "居場所"},
        },
        expect=201,
    )
    call(as_member, "get", f"{API}/agencies/{{id}}/", id=agency["id"], expect=200)
    call(
        as_member,
        "patch",
        f"{API}/agencies/{{id}}/",
        id=member.agency_id,
        data={"website": "https://clinic.example.jp/"},
        expect=200,
    )
    call(as_coordinator, "get", f"{API}/users/", expect=200)
    call(
        as_coordinator,
        "post",
        f"{API}/users/",
        data={
            "username": "new_staff",
            "password": "a-long-enough-pass-2026",
            "display_name": "新任 八郎",
            "email": "staff@example.jp",
            "agency": coordinator.agency_id,
            "job_title": "保健師",
            "qualifications": [],
        },
        expect=201,
    )
    newcomer = User.objects.get(username="new_staff")
    call(as_coordinator, "get", f"{API}/users/{{id}}/", id=newcomer.pk, expect=200)
    call(
        as_coordinator,
        "patch",
        f"{API}/users/{{id}}/",
        id=newcomer.pk,
        data={"job_title": "精神保健福祉士"},
        expect=200,
    )

    # The second factor: enrol, confirm, turn off (with a recovery code); a coordinator's
    # reset of a member who has one.
    two_factor = f"{API}/me/two-factor/"
    call(as_member, "get", two_factor, expect=200)
    started = call(as_member, "post", two_factor, expect=201)
    codes = call(
        as_member, "post", two_factor + "confirm/", data={"code": code_for(started["secret"])}
    )["recovery_codes"]
    call(as_member, "delete", two_factor, data={"code": codes[0]}, expect=204)
    enrol(rw.third)
    call(
        as_coordinator,
        "post",
        f"{API}/networks/{{network_pk}}/two-factor-resets/",
        network_pk=net,
        data={"user": rw.third.pk},
        expect=201,
    )

    # Me, and the calendar feed.
    call(as_member, "get", f"{API}/me/", expect=200)
    call(as_member, "get", f"{API}/me/calendar-token/", expect=200)
    issued = call(as_member, "post", f"{API}/me/calendar-token/", expect=201)
    call(anonymous, "get", f"{API}/calendar/{{token}}.ics", token=issued["token"], expect=200)
    call(as_member, "delete", f"{API}/me/calendar-token/", expect=204)

    # Networks, staff roles, memberships, pledges, screening terms, plans.
    call(as_member, "get", f"{API}/networks/", expect=200)
    created = call(
        as_admin,
        "post",
        f"{API}/networks/",
        data={
            "name": "加古川市ひきこもり支援ネットワーク",
            "municipality": "加古川市",
            "secretariat_agency": agency["id"],
        },
        expect=201,
    )
    call(as_admin, "get", f"{API}/networks/{{id}}/", id=created["id"], expect=200)
    call(
        as_coordinator,
        "patch",
        f"{API}/networks/{{id}}/",
        id=net,
        data={"content_window_days": 21},
        expect=200,
    )
    staff_roles = f"{API}/networks/{{network_pk}}/staff-roles/"
    call(as_coordinator, "get", staff_roles, network_pk=net, expect=200)
    role = call(
        as_coordinator,
        "post",
        staff_roles,
        network_pk=net,
        data={"user": w.colleague.pk, "role": "auditor"},
    )
    call(as_coordinator, "delete", staff_roles + "{id}/", network_pk=net, id=role["id"], expect=204)
    memberships = f"{API}/networks/{{network_pk}}/memberships/"
    call(as_member, "get", memberships, network_pk=net, expect=200)
    seat_row = call(
        as_coordinator,
        "post",
        memberships,
        network_pk=net,
        data={"agency": agency["id"], "tier": "practitioners", "starts_on": "2026-04-01"},
        expect=201,
    )
    one_seat = memberships + "{id}/"
    call(as_member, "get", one_seat, network_pk=net, id=seat_row["id"], expect=200)
    call(
        as_coordinator,
        "patch",
        one_seat,
        network_pk=net,
        id=seat_row["id"],
        data={"ends_on": "2027-03-31"},
        expect=200,
    )
    call(as_coordinator, "delete", one_seat, network_pk=net, id=seat_row["id"], expect=204)
    pledges = f"{API}/networks/{{network_pk}}/pledges/"
    call(as_coordinator, "get", pledges, network_pk=net, expect=200)
    newcomer = UserFactory(username="newcomer", agency=member.agency, display_name="新人 九郎")
    as_newcomer = APIClient()
    as_newcomer.force_authenticate(newcomer)
    call(as_newcomer, "post", pledges, network_pk=net, data={}, expect=201)
    for kind, body in (
        ("allowed", {"term": "明石", "category": "place_name", "reason": "市の名前"}),
        ("forbidden", {"term": "特定の地区名", "reason": "狭い地域"}),
    ):
        terms = f"{API}/networks/{{network_pk}}/{kind}-terms/"
        call(as_coordinator, "post", terms, network_pk=net, data=body, expect=201)
        call(as_coordinator, "get", terms, network_pk=net, expect=200)
    plans = f"{API}/networks/{{network_pk}}/plans/"
    call(as_member, "get", plans, network_pk=net, query={"fiscal_year": 2026}, expect=200)
    call(
        as_coordinator,
        "put",
        plans,
        network_pk=net,
        data={"fiscal_year": 2026, "targets": {"case_conference": 4}},
        expect=200,
    )

    # Cases: create, read, edit, screen, submit (and refused), withdraw, close, purge.
    from tests.conftest import CLEAN_CASE

    case = call(as_member, "post", f"{API}/cases/", data={**CLEAN_CASE, "network": net}, expect=201)
    call(as_member, "get", f"{API}/cases/", expect=200)
    call(as_member, "get", f"{API}/cases/{{id}}/", id=case["id"], expect=200)
    call(as_auditor, "get", f"{API}/cases/{{id}}/", id=rw.case.pk)  # facts only, if at all
    call(
        as_member,
        "patch",
        f"{API}/cases/{{id}}/",
        id=case["id"],
        data={"questions": "家族支援の進め方を相談したい。"},
        expect=200,
    )
    call(
        as_member,
        "post",
        f"{API}/cases/screen/",
        data={"network": net, "fields": {"summary": "連絡先は090-1234-5678です。"}},
        expect=200,
    )
    leaky = call(
        as_member,
        "post",
        f"{API}/cases/",
        data={**CLEAN_CASE, "network": net, "summary": "母の携帯は090-1234-5678。"},
        expect=201,
    )
    call(as_member, "post", f"{API}/cases/{{id}}/submit/", id=leaky["id"], expect=422)
    call(as_member, "post", f"{API}/cases/{{id}}/submit/", id=case["id"], expect=200)
    call(
        as_member,
        "post",
        f"{API}/cases/{{id}}/withdraw/",
        id=rw.cw.draft.pk,
        data={"reason": "本人の同意が得られなかった"},
        expect=200,
    )
    call(as_coordinator, "post", f"{API}/cases/{{id}}/close/", id=case["id"], data={}, expect=200)
    call(as_coordinator, "post", f"{API}/cases/{{id}}/purge/", id=case["id"], expect=200)

    # Meetings: create, read, edit, agenda, invitations, calendar, transitions, decisions.
    meeting_body = {
        "network": net,
        "kind": "representatives_meeting",
        "title": "代表者会議",
        "starts_at": "2027-01-20T14:00:00+09:00",
        "ends_at": "2027-01-20T15:30:00+09:00",
        "location": "市役所 会議室",
    }
    reps = call(as_coordinator, "post", f"{API}/meetings/", data=meeting_body, expect=201)
    call(as_member, "get", f"{API}/meetings/", expect=200)
    one = f"{API}/meetings/{{id}}/"
    call(as_coordinator, "get", one, id=reps["id"], expect=200)
    call(as_coordinator, "patch", one, id=reps["id"], data={"location": "第2会議室"}, expect=200)
    agenda = one + "agenda-items/"
    item = call(
        as_coordinator,
        "post",
        agenda,
        id=reps["id"],
        data={"kind": "topic", "title": "年間計画"},
        expect=201,
    )
    call(as_coordinator, "post", agenda, id=reps["id"], data={"kind": "topic", "title": "報告"})
    call(as_coordinator, "get", agenda, id=reps["id"], expect=200)
    call(
        as_coordinator,
        "patch",
        f"{API}/agenda-items/{{id}}/",
        id=item["id"],
        data={"order": 2},
        expect=200,
    )
    call(as_coordinator, "delete", f"{API}/agenda-items/{{id}}/", id=item["id"], expect=204)
    call(as_coordinator, "post", one + "convene/", id=reps["id"], data={}, expect=200)
    call(as_coordinator, "get", one + "calendar.ics", id=reps["id"], expect=200)
    invitations = call(w_client(w.representative), "get", one + "invitations/", id=reps["id"])
    invitation = invitations["results"][0]
    invitee = APIClient()
    invitee.force_authenticate(type(member).objects.get(pk=invitation["person"]))
    call(
        invitee,
        "patch",
        f"{API}/invitations/{{id}}/",
        id=invitation["id"],
        data={"response": "accepted"},
        expect=200,
    )
    decisions = one + "decisions/"
    decision = call(
        as_coordinator,
        "post",
        decisions,
        id=reps["id"],
        data={"text": "来年度の研修を2回開く", "owner_agency": member.agency_id},
        expect=201,
    )
    call(w_client(w.representative), "get", decisions, id=reps["id"], expect=200)
    call(
        as_coordinator,
        "patch",
        f"{API}/decisions/{{id}}/",
        id=decision["id"],
        data={"due_on": "2027-03-31", "status": "in_progress"},
        expect=200,
    )
    call(as_coordinator, "get", f"{API}/decisions/{{id}}/history/", id=decision["id"], expect=200)
    call(as_coordinator, "post", one + "cancel/", id=reps["id"], data={"reason": "延期"})

    # The held case conference: attendance, minutes, comments, closing.
    held = rw.meeting.pk
    call(
        as_coordinator,
        "put",
        one + "attendance/",
        id=held,
        data=[{"person": member.pk, "status": "present"}],
        expect=200,
    )
    call(as_member, "get", one + "attendance/", id=held, expect=200)
    minutes = one + "minutes/"
    call(as_coordinator, "put", minutes, id=held, data={"body": "支援の方向性を確認した。"})
    call(as_coordinator, "get", minutes, id=held, expect=200)
    call(as_coordinator, "post", minutes + "circulate/", id=held, expect=200)
    call(as_coordinator, "post", minutes + "comments/", id=held, data={"body": "修正なし"})
    call(as_coordinator, "get", minutes + "comments/", id=held, expect=200)

    # The role division of the review written in the meeting.
    review = rw.review.pk
    call(as_coordinator, "get", f"{API}/cases/{{id}}/reviews/", id=rw.case.pk, expect=200)
    roles = f"{API}/reviews/{{id}}/roles/"
    lead = call(
        as_coordinator,
        "post",
        roles,
        id=review,
        data={"agency": member.agency_id, "function": "lead", "involvement": "current"},
        expect=201,
    )
    family = call(
        as_coordinator,
        "post",
        roles,
        id=review,
        data={
            "agency": rw.third.agency_id,
            "function": "family_support",
            "involvement": "new",
            "tasks": TASKS,
            "due_on": "2027-02-28",
        },
        expect=201,
    )
    declined = call(
        as_coordinator,
        "post",
        roles,
        id=review,
        data={"agency": rw.cw.peer.agency_id, "function": "employment", "involvement": "new"},
        expect=201,
    )
    call(as_member, "get", roles, id=review, expect=200)  # their own agency's only
    call(as_coordinator, "get", roles, id=review, expect=200)
    role_url = f"{API}/roles/{{id}}/"
    call(as_member, "get", role_url, id=lead["id"], expect=200)
    call(as_coordinator, "patch", role_url, id=lead["id"], data={"tasks": TASKS}, expect=200)
    call(as_member, "post", role_url + "agree/", id=lead["id"], data={}, expect=200)
    call(
        as_coordinator,
        "post",
        role_url + "agree/",
        id=family["id"],
        data={"on_behalf": True, "note": "会議の場で口頭で同意"},
        expect=200,
    )
    call(
        as_peer,
        "post",
        role_url + "decline/",
        id=declined["id"],
        data={"reason": "対象年齢外のため"},
        expect=200,
    )
    outside = call(
        as_coordinator,
        "post",
        roles,
        id=review,
        data={"agency": AgencyFactory().pk, "function": "legal", "involvement": "new"},
        expect=201,
    )
    call(as_coordinator, "post", role_url + "invite/", id=outside["id"], expect=200)
    call(as_coordinator, "delete", role_url, id=outside["id"], expect=204)
    call(as_coordinator, "post", f"{API}/reviews/{{id}}/finalize/", id=review, expect=409)
    call(as_coordinator, "delete", role_url, id=declined["id"], expect=204)
    call(as_coordinator, "post", f"{API}/reviews/{{id}}/finalize/", id=review, expect=200)
    call(as_coordinator, "get", f"{API}/reviews/{{id}}/", id=review, expect=200)
    call(as_coordinator, "get", f"{API}/reviews/{{id}}/history/", id=review, expect=200)
    for kind in ("csv", "xlsx"):
        call(as_coordinator, "get", f"{API}/reviews/{{id}}/role-division.{kind}", id=review)
    progress = role_url + "progress/"
    call(
        as_member,
        "post",
        progress,
        id=lead["id"],
        data={"note": "家庭訪問を実施した。", "task_status": "in_progress"},
        expect=201,
    )
    call(as_member, "get", progress, id=lead["id"], expect=200)
    call(as_third, "get", role_url, id=family["id"], expect=200)

    # A second review of the case, outside any meeting (a coordinator's).
    second = call(
        as_coordinator,
        "post",
        f"{API}/cases/{{id}}/reviews/",
        id=rw.case.pk,
        data={"assessment": ASSESSMENT, "support_direction": DIRECTION},
        expect=201,
    )
    call(
        as_coordinator,
        "patch",
        f"{API}/reviews/{{id}}/",
        id=second["id"],
        data={"next_review_on": "2027-03-10", "notes": "3か月後に再検討"},
        expect=200,
    )
    extra = call(
        as_coordinator,
        "post",
        roles,
        id=second["id"],
        data={"agency": rw.outsider.agency_id, "function": "place_to_belong", "involvement": "new"},
        expect=201,
    )
    call(as_coordinator, "delete", role_url, id=extra["id"], expect=204)

    # Closing the meeting once its minutes are approved, and amending them afterwards.
    call(as_coordinator, "post", minutes + "approve/", id=held, expect=200)
    call(
        as_coordinator,
        "post",
        minutes + "amendments/",
        id=held,
        data={"body": "支援の方向性を確認した（訂正）。", "note": "誤記の訂正"},
        expect=201,
    )
    call(as_coordinator, "post", one + "close/", id=held, data={}, expect=200)

    # A practitioners' meeting that lists the open role tasks; follow-ups and the load.
    practitioners = call(
        as_coordinator,
        "post",
        f"{API}/meetings/",
        data={
            **meeting_body,
            "kind": "practitioners_meeting",
            "title": "実務者会議",
            "starts_at": "2026-12-10T09:00:00+09:00",
            "ends_at": "2026-12-10T11:00:00+09:00",
        },
        expect=201,
    )
    call(
        as_coordinator,
        "post",
        one + "agenda-items/role-tasks/",
        id=practitioners["id"],
        expect=201,
    )
    call(as_coordinator, "post", one + "hold/", id=practitioners["id"], expect=409)  # a draft
    call(as_coordinator, "post", one + "convene/", id=practitioners["id"], expect=200)
    call(as_coordinator, "post", one + "hold/", id=practitioners["id"], expect=200)
    network_url = f"{API}/networks/{{network_pk}}/"
    call(as_coordinator, "get", network_url + "follow-ups/", network_pk=net, expect=200)
    call(as_coordinator, "get", network_url + "role-load/", network_pk=net, expect=200)
    call(as_coordinator, "get", network_url + "role-load.csv", network_pk=net, expect=200)

    # The access audit.
    call(as_auditor, "get", f"{API}/audit/access/", expect=200)
    call(as_auditor, "get", f"{API}/audit/verify/", expect=200)

    # The contract's errors, once each.
    call(anonymous, "get", f"{API}/cases/", expect=401)
    call(as_member, "post", f"{API}/meetings/", data=meeting_body, expect=403)
    call(as_member, "get", f"{API}/cases/{{id}}/", id="not-a-number", expect=404)
    call(w_client(w.stranger), "get", f"{API}/cases/{{id}}/", id=rw.case.pk, expect=404)
    call(as_member, "post", f"{API}/cases/", data={"network": net, "title": ""}, expect=400)
    call(
        as_coordinator,
        "put",
        one + "attendance/",
        id=held,
        data=[{"person": "x"}],
        expect=400,
    )
    call(as_member, "patch", f"{API}/cases/{{id}}/", id=case["id"], data={}, expect=409)
    return rec


def w_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_every_endpoint_answers_as_the_served_schema_says(roles_world):
    spec = served_schema()
    recorder = exercise_every_endpoint(roles_world)
    sampled = {(s.method, s.template) for s in recorder.samples if 200 <= s.status < 300}
    missing = sorted(api_operations() - sampled)
    assert not missing, "no successful sample for:\n" + "\n".join(
        f"{m.upper()} {p}" for m, p in missing
    )
    problems = [p for sample in recorder.samples for p in problems_of(spec, sample)]
    assert not problems, "\n".join(problems)


def test_every_schema_operation_is_a_served_url(db):
    spec = served_schema()
    documented = {
        (method, path)
        for path, operations in spec["paths"].items()
        for method in operations
        if method in METHODS
    }
    assert documented == api_operations()
