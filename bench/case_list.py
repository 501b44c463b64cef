"""Benchmark: the case list and a case detail with content, at 10k and 100k cases, through
the API and the web pages.

Fills a PostgreSQL database (50 networks, 10 practitioner agencies each) and prints, per
size, p50/p95 server time (the request through Django's whole stack, middleware included)
and the query count of
  - the API's case list as a member of a submitting agency and as a coordinator (page of 50),
  - a case detail with content (unseal + access record),
  - the web pages' home (今日やること) and case list, as a member and as a coordinator.
Lists must stay at a fixed number of queries at both sizes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/renkei_bench .venv/bin/python bench/case_list.py

The database is created if missing and filled once per size (rows are added up to the
size, so the 100k run reuses the 10k rows). --sizes 2000,5000 for a quicker look.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/renkei_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ["DJANGO_DEBUG"] = "0"
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 40)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("KEYRING_FILE", str(ROOT / "var" / "bench" / "keyring.json"))

NETWORKS = 50
AGENCIES_PER_NETWORK = 10
RUNS = 30
NARRATIVE = "本人は長く自宅で過ごしている。家族は相談先を探しており、訪問支援を検討している。" * 4


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django():
    import django

    ensure_database(os.environ["DATABASE_URL"])
    django.setup()
    from django.core.management import call_command

    from conferences.privacy.encryption import create_keyring_file, get_keyring

    keyring = Path(os.environ["KEYRING_FILE"])
    if not keyring.exists():
        create_keyring_file(keyring)
    get_keyring.cache_clear()
    call_command("migrate", verbosity=0)


def build_world():
    """50 networks, each with a secretariat (coordinator) and 10 practitioners' agencies
    (one designated member each, pledged). Idempotent."""
    from agencies.models import Agency, User
    from network import services as network_services
    from network.models import Network, Tier

    if Network.objects.filter(name__startswith="bench-").count() == NETWORKS:
        return
    for n in range(NETWORKS):
        secretariat, _ = Agency.objects.get_or_create(
            name=f"bench-secretariat-{n}", defaults={"sector": "municipal"}
        )
        network, _ = Network.objects.get_or_create(
            name=f"bench-{n}",
            # The bench signs in with force_authenticate (no second factor proven).
            defaults={
                "municipality": f"市{n}",
                "secretariat_agency": secretariat,
                "require_two_factor": False,
            },
        )
        coordinator, created = User.objects.get_or_create(
            username=f"bench-coord-{n}", defaults={"agency": secretariat, "display_name": "c"}
        )
        network_services.staff_role_add(network=network, user=coordinator, role="coordinator")
        network_services.pledge_sign(person=coordinator, network=network)
        for a in range(AGENCIES_PER_NETWORK):
            agency, _ = Agency.objects.get_or_create(
                name=f"bench-agency-{n}-{a}", defaults={"sector": "welfare"}
            )
            member, _ = User.objects.get_or_create(
                username=f"bench-member-{n}-{a}", defaults={"agency": agency, "display_name": "m"}
            )
            if not network.memberships.filter(agency=agency).exists():
                network_services.membership_create(
                    network=network,
                    agency=agency,
                    tier=Tier.PRACTITIONERS,
                    starts_on=__import__("datetime").date(2020, 4, 1),
                    designated_people=[member],
                )
            network_services.pledge_sign(person=member, network=network)


def fill_cases(target: int) -> None:
    """Add submitted cases until there are `target`, spread evenly over the agencies, in
    bulk (the same rows the services write: data key, sealed narratives, group grants)."""
    from django.contrib.auth.models import Permission
    from django.db import transaction

    from agencies.models import Agency, User
    from conferences.models import NARRATIVE_FIELDS, Case, DataKey
    from conferences.privacy import encryption
    from network.models import Network
    from permissions.models import CaseGroupObjectPermission
    from permissions.services import agency_group, coordinator_group

    have = Case.objects.count()
    if have >= target:
        return
    perms = list(
        Permission.objects.filter(
            content_type__app_label="conferences", codename__in=["view_case", "view_case_content"]
        )
    )
    networks = list(Network.objects.filter(name__startswith="bench-").order_by("id"))
    slots = [
        (network, agency, User.objects.filter(agency=agency).first())
        for network in networks
        for agency in Agency.objects.filter(name__startswith=f"bench-agency-{network.name[6:]}-")
    ]
    batch = 2000
    print(f"filling {have} → {target} cases …", flush=True)
    keyring = encryption.get_keyring()
    while have < target:
        count = min(batch, target - have)
        with transaction.atomic():
            keys = [DataKey(kek_id=keyring.active_id) for _ in range(count)]
            for key in keys:
                key.wrapped_key = encryption._wrap(keyring, os.urandom(32))
            keys = DataKey.objects.bulk_create(keys)
            cases = []
            for i, key in enumerate(keys):
                network, agency, author = slots[(have + i) % len(slots)]
                sequence = (have + i) // len(slots) + 1
                cases.append(
                    Case(
                        network=network,
                        submitting_agency=agency,
                        author=author,
                        code=f"R8-{sequence:05d}-{agency.pk}",
                        fiscal_year=2026,
                        sequence=sequence * 1000 + agency.pk,
                        title="長期化した事例",
                        age_band="30s",
                        gender="male",
                        household="with_parents",
                        withdrawal_duration="5_10y",
                        consent_basis="family",
                        status="submitted",
                        data_key=key,
                    )
                )
            cases = Case.objects.bulk_create(cases)
            cache = encryption.DataKeyCache()
            for case in cases:
                for field in NARRATIVE_FIELDS:
                    aad = encryption.field_aad("conferences.case", field, case.pk)
                    setattr(
                        case, field, encryption.seal(case.data_key, NARRATIVE, aad=aad, keys=cache)
                    )
            Case.objects.bulk_update(cases, list(NARRATIVE_FIELDS))
            grants = []
            for case in cases:
                for group in (
                    agency_group(case.submitting_agency_id),
                    coordinator_group(case.network_id),
                ):
                    grants += [
                        CaseGroupObjectPermission(group=group, permission=p, content_object=case)
                        for p in perms
                    ]
            CaseGroupObjectPermission.objects.bulk_create(grants)
        have += count
        print(f"  {have}", flush=True)


def measure(client, url: str) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up
    timings = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.content[:300]
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    return statistics.median(timings), p95, len(queries)


def page_client(user):
    """A test client signed in to the pages as after a login with a second factor (staff,
    coordinators among them, always need one)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from signin import services as signin_services

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = signin_services.authenticator_set(user=user, secret=os.urandom(20))
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def run(size: int) -> None:
    from rest_framework.test import APIClient

    from agencies.models import User
    from conferences.models import Case

    fill_cases(size)
    member = User.objects.get(username="bench-member-0-0")
    coordinator = User.objects.get(username="bench-coord-0")
    case = Case.objects.filter(submitting_agency=member.agency).order_by("id").first()
    pages = [
        ("page: home, member", member, "/"),
        ("page: home, coordinator", coordinator, "/"),
        ("page: case list, member", member, "/cases/"),
        ("page: case list, coordinator", coordinator, "/cases/"),
    ]
    rows = []
    for label, user, url in pages:
        client = page_client(user)
        p50, p95, queries = measure(client, url)
        rows.append((label, p50, p95, queries))
    for label, user, url in [
        ("list, member", member, "/api/v1/cases/"),
        ("list, coordinator", coordinator, "/api/v1/cases/"),
        ("list, coordinator, page_size=200", coordinator, "/api/v1/cases/?page_size=200"),
        ("detail with content", member, f"/api/v1/cases/{case.pk}/"),
    ]:
        client = APIClient()
        client.force_authenticate(user)
        p50, p95, queries = measure(client, url)
        rows.append((label, p50, p95, queries))
    print(f"\n{Case.objects.count():,} cases, {NETWORKS} networks")
    print(f"{'request':36} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for label, p50, p95, queries in rows:
        print(f"{label:36} {p50:8.1f} {p95:8.1f} {queries:8d}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument(
        "--fill-only", action="store_true", help="fill the database, measure nothing"
    )
    args = parser.parse_args()
    setup_django()
    build_world()
    if args.fill_only:
        fill_cases(max(int(s) for s in args.sizes.split(",")))
        return
    for size in [int(s) for s in args.sizes.split(",")]:
        run(size)


if __name__ == "__main__":
    main()
