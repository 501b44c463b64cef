"""Schema-driven fuzzing: Schemathesis against a live server, as three personas.

Starts the service on 127.0.0.1 (a free port) with a fresh SQLite database and keyring in a
temporary folder and the demo network (`migrate` + `load_demo`, DJANGO_DEBUG=1), signs in
as a coordinator (soudan_coordinator), a practitioner (clinic_staff) and an auditor
(demo_auditor), and for each of them lets Schemathesis generate requests for every
operation of the served schema (/api/schema/): valid ones and, as many, invalid ones.
Every response is checked: no 5xx, and the status, media type and body are what the
schema documents for that operation. Each persona starts from the same fresh copy of the
database (and a server restarted, so throttles and caches start empty too).

    .venv/bin/python bench/fuzz_api.py                       # ≥ 5,000 requests, ≤ 20 min
    .venv/bin/python bench/fuzz_api.py --requests 600 --minutes 5 --report /tmp/fuzz.json

Prints requests per persona, responses by status class, the number of 5xx and of schema
violations (each with a reproduction), and exits 1 when either is above zero. Requests
go to 127.0.0.1 only; the run is bounded by --requests and --minutes. The sign-out
operations are left out (they would end the persona's own token).
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"
DEMO_PASSWORD = "demo-pass-2026"  # published with the demo data (network/…/load_demo.py)
PERSONAS = {
    "coordinator": "soudan_coordinator",
    "practitioner": "clinic_staff",
    "auditor": "demo_auditor",
}
SKIPPED = {("POST", "/api/v1/auth/logout/"), ("POST", "/api/v1/auth/logout-all/")}
CONFORMANCE = (
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
DEMO_ID_MAXIMUM = 60
TABLES = {  # the collection in a path → the table whose ids it takes
    "agencies": "agencies_agency",
    "users": "agencies_user",
    "networks": "network_network",
    "staff-roles": "network_staffrole",
    "memberships": "network_membership",
    "cases": "conferences_case",
    "meetings": "conferences_meeting",
    "invitations": "conferences_invitation",
    "agenda-items": "conferences_agendaitem",
    "decisions": "conferences_decision",
    "reviews": "conferences_review",
    "roles": "conferences_roleassignment",
}
WRITE_ORDER = {"GET": 0, "POST": 1, "PUT": 1, "PATCH": 1, "DELETE": 2}


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def server_env(workdir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DJANGO_DEBUG="1",
        DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
        KEYRING_FILE=str(workdir / "keyring.json"),
        DJANGO_LOG_LEVEL="ERROR",
        # Fuzzing sends far more than a person would: the throttles are tested elsewhere.
        DJANGO_LOGIN_RATE="100000/minute",
        DJANGO_LOGIN_USER_RATE="100000/minute",
        DJANGO_SCREEN_RATE="100000/minute",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    return env


def manage(env: dict, *args: str) -> None:
    with open(Path(env["KEYRING_FILE"]).parent / "setup.log", "ab") as log:
        subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=log, stderr=log
        )


def prepare(workdir: Path) -> Path:
    """A migrated database with the demo network, kept as a template for each persona."""
    env = server_env(workdir)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "load_demo")
    template = workdir / "db.template.sqlite3"
    shutil.copyfile(workdir / "db.sqlite3", template)
    return template


class Server:
    """`manage.py runserver` on 127.0.0.1 over a fresh copy of the template database."""

    def __init__(self, workdir: Path, template: Path):
        self.workdir, self.template = workdir, template
        self.process = None
        self.base = ""

    def start(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            (self.workdir / f"db.sqlite3{suffix}").unlink(missing_ok=True)
        shutil.copyfile(self.template, self.workdir / "db.sqlite3")
        port = free_port()
        self.base = f"http://{HOST}:{port}"
        log = open(self.workdir / "server.log", "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [PYTHON, "manage.py", "runserver", f"{HOST}:{port}", "--noreload"],
            cwd=ROOT,
            env=server_env(self.workdir),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        import requests

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.base + "/api/v1/", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.3)
        raise RuntimeError(f"the server did not start; see {self.workdir / 'server.log'}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None

    def login(self, username: str) -> dict:
        import requests

        response = requests.post(
            self.base + "/api/v1/auth/token/",
            json={"username": username, "password": DEMO_PASSWORD},
            timeout=30,
        )
        response.raise_for_status()
        return {"Authorization": f"Token {response.json()['token']}"}

    def alive(self, headers: dict) -> bool:
        import requests

        return requests.get(self.base + "/api/v1/me/", headers=headers, timeout=30).ok


class Tally:
    def __init__(self):
        self.requests = Counter()  # persona → count
        self.classes = Counter()  # "2xx" → count
        self.statuses = Counter()
        self.server_errors = []
        self.violations = defaultdict(list)  # (check, operation) → reproductions
        self.other_failures = Counter()  # checks not counted as violations
        self.unauthorized = Counter()  # persona → 401s since the last look at the session

    def record(self, persona, case, response, failures):
        self.requests[persona] += 1
        status = response.status_code
        self.classes[f"{status // 100}xx"] += 1
        self.statuses[status] += 1
        if status == 401:
            self.unauthorized[persona] += 1
        label = f"{case.method.upper()} {case.path}"
        if status >= 500:
            self.server_errors.append(
                {
                    "persona": persona,
                    "operation": label,
                    "status": status,
                    "curl": case.as_curl_command(headers={"Authorization": "Token …"}),
                }
            )
        for failure in failures:
            name = getattr(failure, "title", "") or type(failure).__name__
            check = _check_name(failure)
            if check == "status_code_conformance" and status >= 500:
                continue  # counted as a 5xx already
            if check in CONFORMANCE:
                entries = self.violations[(check, label)]
                if len(entries) < 3:
                    entries.append(
                        {
                            "persona": persona,
                            "status": status,
                            "message": str(getattr(failure, "message", name))[:600],
                            "curl": case.as_curl_command(headers={"Authorization": "Token …"}),
                        }
                    )
            elif check != "not_a_server_error":
                self.other_failures[check] += 1

    @property
    def violation_count(self) -> int:
        return sum(len(v) for v in self.violations.values())


def _check_name(failure) -> str:
    kind = type(failure).__name__
    return {
        "UndefinedStatusCode": "status_code_conformance",
        "UndefinedContentType": "content_type_conformance",
        "MalformedMediaType": "content_type_conformance",
        "JsonSchemaError": "response_schema_conformance",
        "MalformedJson": "response_schema_conformance",
        "MissingContentType": "content_type_conformance",
        "ContentDeserializationError": "response_schema_conformance",
        "DiscriminatorMismatch": "response_schema_conformance",
        "ServerError": "not_a_server_error",
        "ContentTypeServerError": "not_a_server_error",
    }.get(kind, kind)


CHECKS = []


def _checks():
    if not CHECKS:
        from schemathesis.checks import not_a_server_error
        from schemathesis.specs.openapi import checks as oas

        CHECKS.extend(
            [
                not_a_server_error,
                oas.status_code_conformance,
                oas.content_type_conformance,
                oas.response_schema_conformance,
            ]
        )
    return CHECKS


def narrow_path_ids(spec: dict) -> dict:
    """Valid path ids drawn from the demo data's range (its rows have small ids, and the
    ones made while fuzzing follow), so that valid requests reach real objects instead of
    404. Invalid ones (negative mode) still go outside: 0, negatives, huge numbers."""
    for item in spec["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter["in"] == "path" and parameter["schema"].get("type") == "integer":
                    parameter["schema"] = {**parameter["schema"], "maximum": DEMO_ID_MAXIMUM}
    return spec


class ExistingIds:
    """Ids of the rows in the server's database, per collection in a path, so that most
    valid requests name something that exists (and the persona may or may not see)."""

    def __init__(self, database: Path):
        self.database = database
        self.ids = {}

    def refresh(self) -> None:
        import sqlite3

        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True) as connection:
            self.ids = {
                collection: [row[0] for row in connection.execute(f"SELECT id FROM {table}")]
                for collection, table in TABLES.items()
            }

    def apply(self, case) -> None:
        """Replace each generated id by an existing one (the n-th, cycling)."""
        segments = case.operation.path.strip("/").split("/")
        for index, segment in enumerate(segments):
            name = segment[1:-1] if segment.startswith("{") else None
            if name is None or index == 0 or name not in (case.path_parameters or {}):
                continue
            existing = self.ids.get(segments[index - 1])
            value = case.path_parameters[name]
            if existing and isinstance(value, int) and value > 0:
                case.path_parameters[name] = existing[(value - 1) % len(existing)]


def weight(operation) -> int:
    """More requests where there is more to vary: bodies above all, then parameters."""
    definition = operation.definition.raw
    parameters = definition.get("parameters", [])
    return (
        1
        + 4 * ("requestBody" in definition)
        + any(p["in"] == "query" for p in parameters)
        + any(p["in"] == "path" for p in parameters)
    )


def send_and_check(case, *, persona, server, session, headers, tally) -> None:
    """Send one generated request to the live server, check the answer against the schema,
    and count it (with its failures) for the persona."""
    from schemathesis.core.failures import FailureGroup

    response = case.call(
        base_url=server.base,
        session=session,
        headers=headers,
        timeout=60,
        allow_redirects=False,
    )
    failures = []
    try:
        case.validate_response(response, checks=_checks(), headers=headers)
    except FailureGroup as group:
        failures = list(group.exceptions)
    tally.record(persona, case, response, failures)


def fuzz_operation(
    operation, mode, *, persona, server, session, headers, tally, examples, seed, deadline, ids
):
    """Up to `examples` generated requests for one operation, each checked and counted."""
    import hypothesis
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis import GenerationMode

    def one(case):
        if time.monotonic() >= deadline:
            return
        if mode == GenerationMode.POSITIVE:
            ids.apply(case)
        send_and_check(
            case, persona=persona, server=server, session=session, headers=headers, tally=tally
        )

    try:
        strategy = operation.as_strategy(generation_mode=mode)
    except Exception as exc:  # nothing to make invalid, say
        tally.other_failures[f"no {mode.value} strategy ({type(exc).__name__})"] += 1
        return
    test = settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        verbosity=hypothesis.Verbosity.quiet,
    )(given(strategy)(one))
    try:
        hypothesis.seed(seed)(test)()
    except hypothesis.errors.Unsatisfiable:
        pass


# JSON bodies that are not objects: every operation that takes a body gets each once.
EDGE_BODIES = ([], 0, "text", b"null", [{}])


def edge_bodies(operation, *, persona, server, session, headers, tally, ids) -> None:

    if "requestBody" not in operation.definition.raw:
        return
    path = {
        p["name"]: 1 for p in operation.definition.raw.get("parameters", []) if p["in"] == "path"
    }
    for body in EDGE_BODIES:
        case = operation.Case(
            body=body, media_type="application/json", path_parameters=path or None
        )
        ids.apply(case)
        send_and_check(
            case, persona=persona, server=server, session=session, headers=headers, tally=tally
        )


def fuzz_persona(persona, username, server, tally, *, budget, deadline, seed, only=None):
    import requests
    import schemathesis
    from schemathesis import GenerationMode

    server.start()
    try:
        headers = server.login(username)
        spec = requests.get(
            server.base + "/api/schema/?format=json", headers=headers, timeout=30
        ).json()
        schema = schemathesis.openapi.from_dict(narrow_path_ids(spec))
        operations = [
            result.ok()
            for result in schema.get_all_operations()
            if (result.ok().method.upper(), result.ok().path) not in SKIPPED
        ]
        operations.sort(key=lambda op: (WRITE_ORDER.get(op.method.upper(), 1), op.path))
        session = requests.Session()
        session.max_redirects = 0
        start = tally.requests[persona]
        rounds = 0
        if only:
            operations = [op for op in operations if re.search(only, op.label)]
        weights = {op.label: weight(op) for op in operations}
        ids = ExistingIds(server.workdir / "db.sqlite3")
        while tally.requests[persona] - start < budget and time.monotonic() < deadline:
            rounds += 1
            ids.refresh()
            left = budget - (tally.requests[persona] - start)
            per_weight = left / (2 * sum(weights.values()))
            for operation in operations:
                examples = max(2, round(per_weight * weights[operation.label]))
                if rounds == 1:
                    edge_bodies(
                        operation,
                        persona=persona,
                        server=server,
                        session=session,
                        headers=headers,
                        tally=tally,
                        ids=ids,
                    )
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                    if time.monotonic() >= deadline or tally.requests[persona] - start >= budget:
                        break
                    fuzz_operation(
                        operation,
                        mode,
                        persona=persona,
                        server=server,
                        session=session,
                        headers=headers,
                        tally=tally,
                        examples=examples,
                        seed=seed * 1000 + rounds * 10 + list(PERSONAS).index(persona),
                        deadline=deadline,
                        ids=ids,
                    )
                if tally.unauthorized[persona] and not server.alive(headers):
                    # A write took the persona's own access away: start again from the copy.
                    print(f"  [{persona}] lost its session after {operation.label}; restarting")
                    server.stop()
                    server.start()
                    headers = server.login(username)
                tally.unauthorized[persona] = 0
            print(f"  [{persona}] round {rounds}: {tally.requests[persona] - start} requests")
    finally:
        server.stop()


def report(tally: Tally, elapsed: float) -> None:
    total = sum(tally.requests.values())
    print(f"\nSchemathesis against the served schema: {total} requests in {elapsed:.0f} s")
    for persona, count in tally.requests.items():
        print(f"  {persona:<13} {count:>6} requests")
    print("  by status class: " + ", ".join(f"{k} {v}" for k, v in sorted(tally.classes.items())))
    print("  by status:       " + ", ".join(f"{k} {v}" for k, v in sorted(tally.statuses.items())))
    print(f"  5xx responses:      {len(tally.server_errors)}")
    print(f"  schema violations:  {tally.violation_count}")
    seen = set()
    for error in tally.server_errors:
        if (error["operation"], error["status"]) in seen:
            continue
        seen.add((error["operation"], error["status"]))
        print(
            f"\n5xx {error['status']} {error['operation']} ({error['persona']}):\n  {error['curl']}"
        )
    for (check, operation), entries in sorted(tally.violations.items()):
        first = entries[0]
        print(f"\n{check}: {operation} → {first['status']} ({first['persona']})")
        print("  " + first["message"].replace("\n", "\n  ")[:600])
        print(f"  {first['curl']}")
    if tally.other_failures:
        print(
            "\nnot counted (informational): "
            + ", ".join(f"{k} {v}" for k, v in tally.other_failures.most_common())
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=6000, help="in all (default 6000)")
    parser.add_argument("--minutes", type=float, default=20, help="time bound (default 20)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--report", type=Path, help="write the findings as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--operations", help="only operations matching this regular expression")
    args = parser.parse_args()

    started = time.monotonic()
    deadline = started + args.minutes * 60
    workdir = Path(tempfile.mkdtemp(prefix="renkei-fuzz-"))
    tally = Tally()
    try:
        print(f"Preparing the demo database in {workdir} …")
        template = prepare(workdir)
        server = Server(workdir, template)
        remaining_personas = len(PERSONAS)
        for persona, username in PERSONAS.items():
            done = sum(tally.requests.values())
            budget = max(1, -(-(args.requests - done) // remaining_personas))
            persona_deadline = time.monotonic() + (deadline - time.monotonic()) / remaining_personas
            print(f"Fuzzing as {persona} ({username}): {budget} requests …")
            fuzz_persona(
                persona,
                username,
                server,
                tally,
                budget=budget,
                deadline=persona_deadline,
                seed=args.seed,
                only=args.operations,
            )
            remaining_personas -= 1
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    report(tally, time.monotonic() - started)
    if args.report:
        args.report.write_text(
            json.dumps(
                {
                    "requests": tally.requests,
                    "classes": tally.classes,
                    "statuses": {str(k): v for k, v in tally.statuses.items()},
                    "server_errors": tally.server_errors,
                    "violations": [
                        {"check": c, "operation": o, "examples": e}
                        for (c, o), e in sorted(tally.violations.items())
                    ],
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    return 1 if tally.server_errors or tally.violation_count else 0


if __name__ == "__main__":
    sys.exit(main())
