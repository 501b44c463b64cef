"""Narratives at rest: the database holds ciphertext only, a ciphertext moved to another
record or field fails closed, keys rotate and retire under live data, and a purged case is
unrecoverable with every key in the keyring.

The raw checks run the same on SQLite and PostgreSQL (DATABASE_URL decides which)."""

import base64
import json
from io import StringIO
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from conferences.cases import services
from conferences.models import NARRATIVE_FIELDS, Case, DataKey
from conferences.privacy import encryption
from config.errors import IntegrityAlarm
from permissions.models import AccessRecord
from tests.conftest import CLEAN_CASE

pytestmark = pytest.mark.django_db

# Narratives no screening objects to, each with a marker found nowhere else.
FIRST = {
    "summary": "目印一番：本人は昼夜逆転の生活が続き、深夜の散歩だけが外出になっている。",
    "history": "目印二番：中学二年で不登校となり、通信制高校を中退してから長い年月が過ぎた。",
    "current_support": "目印三番：包括支援の職員が父親の介護相談の折に様子を聞いている。",
    "difficulties": "目印四番：父親の入院が決まり、本人の生活費の見通しが立たない。",
    "questions": "目印五番：就労準備より先に居場所につなぐべきか意見を聞きたい。",
}
SECOND = {
    "summary": "目印六番：母親は本人の部屋の前に食事を置き、会話は筆談に限られている。",
    "history": "目印七番：大学受験の失敗をきっかけに自室から出なくなった。",
    "current_support": "目印八番：家族会に母親が月に一度参加している。",
    "difficulties": "目印九番：きょうだいが支援に反対しており、家族の足並みがそろわない。",
    "questions": "目印十番：訪問の頻度と担当機関の分け方を相談したい。",
}
REPLACED = "目印十一番：この文は下書きの編集で置き換えられ、どこにも残ってはならない。"


def as_(user) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def create_case(user, network, narratives: dict[str, str]) -> int:
    body = {"network": network.pk, **CLEAN_CASE, **narratives}
    response = as_(user).post("/api/v1/cases/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["content"] == narratives
    return response.json()["id"]


def content_of(user, pk: int):
    response = as_(user).get(f"/api/v1/cases/{pk}/")
    assert response.status_code == 200, response.content
    return response.json()["content"]


@pytest.fixture
def stored(case_world) -> dict[int, dict[str, str]]:
    """Two cases written through the API: one submitted, one a draft whose summary was
    replaced by an edit. Their narratives by case id, as they should read."""
    member = case_world.world.member
    first = create_case(member, case_world.world.network, FIRST)
    assert as_(member).post(f"/api/v1/cases/{first}/submit/").status_code == 200
    second = create_case(member, case_world.world.network, {**SECOND, "summary": REPLACED})
    patched = as_(member).patch(
        f"/api/v1/cases/{second}/", {"summary": SECOND["summary"]}, format="json"
    )
    assert patched.status_code == 200
    return {first: FIRST, second: SECOND}


def secrets_of(narratives: list[dict[str, str]]) -> list[str]:
    texts = [text for entry in narratives for text in entry.values()] + [REPLACED]
    return texts + [text.split("：", 1)[0] for text in texts]  # the markers alone, too


def needles(secret: str) -> list[bytes]:
    """The encodings a narrative would take if stored in clear: UTF-8, UTF-16 (a database
    so encoded) and JSON's ASCII escapes (`\\u6a19…`, what a JSONField writes), plus the
    base64 of the UTF-8."""
    return [
        secret.encode(),
        secret.encode("utf-16-le"),
        secret.encode("utf-16-be"),
        json.dumps(secret)[1:-1].encode(),
        base64.b64encode(secret.encode()),
    ]


def as_bytes(value) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False).encode()
    return str(value).encode()


def raw_dump() -> dict[str, list[tuple]]:
    """Every row of every table, read with raw SQL (no model, no decryption)."""
    tables = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            tables[table] = cursor.fetchall()
    return tables


def leaks(haystack: bytes, secrets: list[str]) -> list[str]:
    return [secret for secret in secrets if any(n in haystack for n in needles(secret))]


def database_image() -> bytes:
    """The database as its files hold it. SQLite: the serialized database (for the in-memory
    test database, the bytes a file would hold; uncommitted pages included). PostgreSQL: the
    heap, TOAST and index files of every table, read after a checkpoint."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        image = connection.connection.serialize()
        name = str(connection.settings_dict["NAME"])
        if "mode=memory" not in name and name != ":memory:" and Path(name).is_file():
            image += Path(name).read_bytes()
        return image
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")  # dirty pages, uncommitted tuples included, to the files
        cursor.execute(
            """
            SELECT pg_relation_filepath(c.oid) FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i', 'm')
            UNION
            SELECT pg_relation_filepath(t.oid) FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_class t ON t.oid IN (c.reltoastrelid, (
                SELECT indexrelid FROM pg_index WHERE indrelid = c.reltoastrelid LIMIT 1))
            WHERE n.nspname = 'public' AND c.reltoastrelid <> 0
            """
        )
        paths = [path for (path,) in cursor.fetchall() if path]
        image = b""
        for path in paths:
            cursor.execute("SELECT pg_read_binary_file(%s)", [path])
            image += bytes(cursor.fetchone()[0] or b"")
    return image


def may_read_server_files() -> bool:
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper OR pg_has_role(current_user, 'pg_read_server_files', 'member') "
            "FROM pg_roles WHERE rolname = current_user"
        )
        return bool(cursor.fetchone()[0])


def fetch(pk: int) -> Case:
    return Case.objects.select_related("data_key").get(pk=pk)


# --- the raw database ---------------------------------------------------------------------


def test_no_table_holds_a_narrative_in_any_column(stored):
    secrets = secrets_of(list(stored.values()))
    dump = raw_dump()
    # The dump sees the rows at all: the cases' titles (facts, in clear) are in it.
    case_rows = dump["conferences_case"]
    assert any(CLEAN_CASE["title"] in map(str, row) for row in case_rows)
    found = []
    for table, rows in dump.items():
        for row in rows:
            for value in row:
                for secret in leaks(as_bytes(value), secrets):
                    found.append((table, secret))
    assert found == []


def test_sealed_columns_hold_ciphertext_bound_to_their_data_key(stored):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, data_key_id, summary, history, current_support, difficulties, questions "
            "FROM conferences_case WHERE id IN (%s, %s)",
            list(stored),
        )
        rows = cursor.fetchall()
    assert len(rows) == 2
    for _pk, data_key_id, *blobs in rows:
        for blob in map(bytes, blobs):
            assert blob[0] == encryption.SEAL_VERSION
            assert int.from_bytes(blob[1:9], "big") == data_key_id


def test_database_files_hold_no_narrative(stored):
    if not may_read_server_files():
        pytest.skip("this PostgreSQL role may not read the server's files")
    image = database_image()
    # The image holds the test's rows: the title in clear and a case's ciphertext.
    assert CLEAN_CASE["title"].encode() in image
    assert bytes(fetch(next(iter(stored))).summary) in image
    assert leaks(image, secrets_of(list(stored.values()))) == []


# --- ciphertext moved elsewhere fails closed ----------------------------------------------


def swap(first: tuple[int, str], second: tuple[int, str]) -> None:
    """Exchange two sealed values in the database, as someone with write access could."""
    (pk_a, field_a), (pk_b, field_b) = first, second
    blob_a, blob_b = getattr(fetch(pk_a), field_a), getattr(fetch(pk_b), field_b)
    Case.objects.filter(pk=pk_a).update(**{field_a: blob_b})
    Case.objects.filter(pk=pk_b).update(**{field_b: blob_a})


def test_summaries_swapped_between_cases_fail_to_unseal_in_the_service(stored, case_world):
    first, second = list(stored)
    swap((first, "summary"), (second, "summary"))
    for pk in (first, second):
        with pytest.raises(IntegrityAlarm):
            services.case_content_read(reader=case_world.world.member, case=fetch(pk), via="t")
    assert not AccessRecord.objects.filter(case_id__in=stored, via="t").exists()


def test_summaries_swapped_between_cases_never_reach_a_response(stored, case_world):
    """Reading either case fails closed: a 500 in the contract's shape with the integrity
    code, neither case's text, no access record."""
    first, second = list(stored)
    swap((first, "summary"), (second, "summary"))
    records_before = AccessRecord.objects.count()
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(case_world.world.member)
    for pk in (first, second):
        response = api.get(f"/api/v1/cases/{pk}/")
        assert response.status_code == 500
        assert response.json()["code"] == "content_integrity"
        body = response.content.decode()
        assert leaks(body.encode(), secrets_of(list(stored.values()))) == []
        assert "content" not in response.json()
    assert AccessRecord.objects.count() == records_before


def test_summary_and_history_swapped_within_a_case_fail_to_unseal(stored, case_world):
    first = next(iter(stored))
    swap((first, "summary"), (first, "history"))
    with pytest.raises(IntegrityAlarm):
        services.case_narratives_unseal(fetch(first), fields=("summary",))
    with pytest.raises(IntegrityAlarm):
        services.case_narratives_unseal(fetch(first), fields=("history",))
    # The fields left in place still read: the alarm is about the moved values only.
    assert services.case_narratives_unseal(fetch(first), fields=("questions",)) == {
        "questions": FIRST["questions"]
    }


def test_summary_and_history_swapped_within_a_case_never_reach_a_response(stored, case_world):
    first = next(iter(stored))
    swap((first, "summary"), (first, "history"))
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(case_world.world.coordinator)
    response = api.get(f"/api/v1/cases/{first}/")
    assert response.status_code == 500
    assert response.json()["code"] == "content_integrity"
    assert leaks(response.content, secrets_of([FIRST])) == []


# --- rotation and retirement --------------------------------------------------------------


def readable(case_world, stored) -> dict[int, dict]:
    """Every case the member's agency has, read through the API."""
    member = case_world.world.member
    pks = [*stored, case_world.draft.pk, case_world.submitted.pk]
    return {pk: content_of(member, pk) for pk in pks}


def keys(*args) -> str:
    out = StringIO()
    call_command("keys", *args, stdout=out)
    return out.getvalue()


def test_every_case_reads_the_same_after_rotation(case_world, stored, keyring_file):
    before = readable(case_world, stored)
    old = encryption.load_keyring_file(keyring_file).active_id
    keys("rotate")
    keyring = encryption.load_keyring_file(keyring_file)
    assert keyring.active_id != old and old in keyring.keys
    assert set(DataKey.objects.values_list("kek_id", flat=True)) == {keyring.active_id}
    assert readable(case_world, stored) == before
    for pk, narratives in stored.items():
        assert before[pk] == narratives


def test_every_case_reads_the_same_after_the_old_key_is_retired(case_world, stored, keyring_file):
    before = readable(case_world, stored)
    old = encryption.load_keyring_file(keyring_file).active_id
    keys("rotate")
    assert f"Retired {old}" in keys("retire", old)
    keyring = encryption.load_keyring_file(keyring_file)
    assert old not in keyring.keys
    assert readable(case_world, stored) == before
    # A case written after the rotation reads too, under the new key only.
    pk = create_case(case_world.world.member, case_world.world.network, FIRST)
    assert content_of(case_world.world.member, pk) == FIRST
    assert fetch(pk).data_key.kek_id == keyring.active_id


# --- purge --------------------------------------------------------------------------------


def purge(case_world, pk: int) -> None:
    coordinator = as_(case_world.world.coordinator)
    assert coordinator.post(f"/api/v1/cases/{pk}/close/").status_code == 200
    assert coordinator.post(f"/api/v1/cases/{pk}/purge/").status_code == 200


def test_purge_erases_the_wrapped_key_and_every_narrative(case_world, stored):
    pk = next(iter(stored))  # the submitted one
    purge(case_world, pk)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT summary, history, current_support, difficulties, questions, data_key_id "
            "FROM conferences_case WHERE id = %s",
            [pk],
        )
        *narratives, data_key_id = cursor.fetchone()
        cursor.execute(
            "SELECT wrapped_key, destroyed_at FROM conferences_datakey WHERE id = %s",
            [data_key_id],
        )
        wrapped_key, destroyed_at = cursor.fetchone()
    assert narratives == [None] * len(NARRATIVE_FIELDS)
    assert wrapped_key is None and destroyed_at is not None
    case = fetch(pk)
    assert case.purged_at is not None and case.code  # the facts stay


def test_purged_case_cannot_be_unsealed_with_any_key_in_the_keyring(
    case_world, stored, keyring_file
):
    pk = next(iter(stored))
    purge(case_world, pk)
    keys("rotate")  # two KEKs in the keyring, the old and the new
    data_key = fetch(pk).data_key
    keyring = encryption.load_keyring_file(keyring_file)
    assert len(keyring.keys) == 2
    with pytest.raises(encryption.KeyDestroyedError):
        encryption.unwrap(data_key)
    for kek_id in keyring.keys:
        relabelled = DataKey(pk=data_key.pk, kek_id=kek_id, wrapped_key=data_key.wrapped_key)
        with pytest.raises(encryption.KeyDestroyedError):
            encryption.unwrap(relabelled)
    # Nothing is left to unseal: the sealed columns are NULL (so no KeyDestroyedError either).
    assert services.case_narratives_unseal(fetch(pk)) == {}


def test_a_copy_of_the_wrapped_key_from_before_the_purge_dies_with_its_kek(
    case_world, stored, keyring_file
):
    """A backup taken before the purge still holds the wrapped key: it unwraps under its KEK
    until that KEK is retired (as `data_key_destroy` documents), and under no key after."""
    pk = next(iter(stored))
    before = fetch(pk).data_key
    backup = DataKey(pk=before.pk, kek_id=before.kek_id, wrapped_key=bytes(before.wrapped_key))
    purge(case_world, pk)
    assert len(encryption.unwrap(backup)) == encryption.KEY_BYTES  # the documented window
    keys("rotate")
    keys("retire", before.kek_id)
    keyring = encryption.load_keyring_file(keyring_file)
    assert before.kek_id not in keyring.keys
    with pytest.raises(encryption.KeyringError):
        encryption.unwrap(backup)
    wrapped = backup.wrapped_key
    nonce, sealed = wrapped[1 : 1 + encryption.NONCE_BYTES], wrapped[1 + encryption.NONCE_BYTES :]
    for kek_id, kek in keyring.keys.items():
        with pytest.raises(encryption.DecryptionError):
            encryption.unwrap(DataKey(pk=backup.pk, kek_id=kek_id, wrapped_key=wrapped))
        with pytest.raises(InvalidTag):  # and not under another binding either
            AESGCM(kek).decrypt(nonce, sealed, encryption._wrap_aad(before.kek_id))
