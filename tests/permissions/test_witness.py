"""The access chains' witness (issue 9, item 2): each network's head written daily outside
the database, so that cutting the chain's end together with its head row is still caught,
by `GET /audit/verify/` and by `manage.py audit_witness --verify`."""

import json
import os
import socket
from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from rest_framework.test import APIClient

from permissions.models import AccessChainHead, AccessRecord
from permissions.selectors import access_chain_verify
from permissions.services import access_chain_key, access_head_mac, access_record_write
from permissions.witness import (
    parse_witness_setting,
    witness_line_mac,
    witness_line_text,
    witness_read,
)

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
VERIFY_URL = "/api/v1/audit/verify/"


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(datetime(2024, 6, 10, 12, 0, tzinfo=TOKYO), tick=False)


@pytest.fixture
def witness_file(settings, tmp_path):
    path = tmp_path / "witness.jsonl"
    settings.AUDIT_WITNESS = f"file:{path}"
    return path


def read(case_world, times: int = 1) -> None:
    """`times` audited reads of network A's submitted case."""
    for _ in range(times):
        access_record_write(
            person=case_world.world.member,
            case=case_world.submitted,
            fields=["summary"],
            via="GET /cases/{id}/",
        )


@pytest.fixture
def five_reads(case_world):
    read(case_world, 5)
    return case_world.world.network


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def cut_chain_end(network, keep: int) -> None:
    """What the ORM refuses: delete every record after `keep`, and the head row."""
    raw(
        "DELETE FROM permissions_accessrecord WHERE network_id=%s AND sequence>%s",
        [network.pk, keep],
    )
    raw("DELETE FROM permissions_accesschainhead WHERE network_id=%s", [network.pk])


def rewind_head(network, *, to: int) -> None:
    """Put back a head for record `to`, keyed as the service would (the key in hand)."""
    last_hash = AccessRecord.objects.get(network=network, sequence=to).hash
    key = access_chain_key(network.pk)
    AccessChainHead.objects.create(
        network=network,
        sequence=to,
        hash=last_hash,
        mac=access_head_mac(key, sequence=to, last_hash=last_hash),
    )


def witness_command(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("audit_witness", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def verify_as_auditor(case_world):
    api = APIClient()
    api.force_authenticate(case_world.world.auditor)
    response = api.get(VERIFY_URL)
    assert response.status_code == 200
    return response.json()


def lines_of(path) -> list[dict]:
    """The witness lines of a file (lines written by hand skipped)."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]


# --- the command writes ---------------------------------------------------------------------


def test_command_writes_each_networks_head_as_a_keyed_line(witness_file, five_reads):
    out, _ = witness_command()
    head = AccessChainHead.objects.get(network=five_reads)
    [line] = lines_of(witness_file)
    assert line == {
        "network": five_reads.pk,
        "sequence": 5,
        "hash": head.hash,
        "at": "2024-06-10T12:00:00+09:00",
        "mac": witness_line_mac(
            access_chain_key(five_reads.pk),
            network=five_reads.pk,
            sequence=5,
            last_hash=head.hash,
            at="2024-06-10T12:00:00+09:00",
        ),
    }
    assert f"network {five_reads.pk}: head #5 witnessed" in out


def test_command_appends_and_never_truncates(witness_file, case_world, five_reads, time_machine):
    witness_command()
    first = witness_file.read_bytes()
    time_machine.move_to(datetime(2024, 6, 11, 3, 0, tzinfo=TOKYO), tick=False)
    read(case_world, 2)
    witness_command()
    second = witness_file.read_bytes()
    assert second.startswith(first)
    assert [line["sequence"] for line in lines_of(witness_file)] == [5, 7]
    assert lines_of(witness_file)[1]["at"] == "2024-06-11T03:00:00+09:00"


def test_command_closes_a_line_a_crash_left_unfinished_and_reports_it(witness_file, five_reads):
    witness_file.write_text('{"network": 1, "sequ')  # torn by a crash: no newline
    with pytest.raises(CommandError, match=r"no witness line \(lines \[1\]\)"):
        witness_command()
    torn, line = witness_file.read_text().splitlines()
    assert torn == '{"network": 1, "sequ'
    assert json.loads(line)["sequence"] == 5


def test_command_refuses_a_witness_path_that_is_a_symbolic_link(settings, tmp_path, five_reads):
    target = tmp_path / "elsewhere.jsonl"
    target.write_text("")
    (tmp_path / "witness.jsonl").symlink_to(target)
    settings.AUDIT_WITNESS = f"file:{tmp_path / 'witness.jsonl'}"
    with pytest.raises(CommandError, match="could not be written"):
        witness_command()
    assert target.read_text() == ""


def test_command_without_a_configured_witness_refuses(settings, five_reads):
    settings.AUDIT_WITNESS = None
    with pytest.raises(CommandError, match="AUDIT_WITNESS is not set"):
        witness_command()


def test_command_does_not_witness_a_cut_chain(witness_file, five_reads):
    witness_command()
    cut_chain_end(five_reads, keep=3)
    read_before = witness_file.read_bytes()
    with pytest.raises(CommandError, match="not witnessed"):
        witness_command()
    # A fresh line for the cut chain would bless it: none was written.
    assert witness_file.read_bytes() == read_before


def test_command_does_not_witness_a_chain_that_fails_by_itself(witness_file, five_reads):
    record = AccessRecord.objects.get(network=five_reads, sequence=2)
    raw("UPDATE permissions_accessrecord SET via=%s WHERE id=%s", ["GET /x/", record.pk])
    with pytest.raises(CommandError, match="not witnessed"):
        witness_command()
    assert not witness_file.exists()


# --- verify against the witness -------------------------------------------------------------


@pytest.mark.parametrize("keep", [4, 2, 1])
def test_verify_reports_the_last_records_cut_with_the_head(
    witness_file, case_world, five_reads, keep
):
    witness_command()
    cut_chain_end(five_reads, keep=keep)
    assert verify_as_auditor(case_world) == {
        "network": five_reads.pk,
        "ok": False,
        "records": keep,
        "first_broken": keep + 1,
        "witness": {
            "sequence": 5,
            "at": "2024-06-10T12:00:00+09:00",
            "status": "behind_witness",
            "bad_lines": [],
        },
    }


def test_verify_without_a_witness_reports_records_left_without_their_head(
    settings, case_world, five_reads
):
    settings.AUDIT_WITNESS = None
    cut_chain_end(five_reads, keep=3)
    assert verify_as_auditor(case_world) == {
        "network": five_reads.pk,
        "ok": False,
        "records": 3,
        "first_broken": 4,
    }


@pytest.mark.parametrize("keep", [4, 1])
def test_verify_reports_the_end_cut_and_the_head_rewound_with_the_key(
    witness_file, case_world, five_reads, keep
):
    witness_command()
    cut_chain_end(five_reads, keep=keep)
    rewind_head(five_reads, to=keep)
    assert access_chain_verify(five_reads, witness=None).ok is True  # the chain alone holds
    body = verify_as_auditor(case_world)
    assert (body["ok"], body["records"], body["first_broken"]) == (False, keep, keep + 1)
    assert (body["witness"]["status"], body["witness"]["sequence"]) == ("behind_witness", 5)


def test_verify_reports_every_record_and_the_head_deleted(witness_file, case_world, five_reads):
    witness_command()
    cut_chain_end(five_reads, keep=0)
    body = verify_as_auditor(case_world)
    assert (body["ok"], body["records"], body["first_broken"]) == (False, 0, 1)
    assert body["witness"]["status"] == "behind_witness"


def test_verify_of_an_untouched_chain_with_its_witness_is_ok(witness_file, case_world, five_reads):
    witness_command()
    read(case_world, 2)  # the chain grows past its last witness: that is its normal life
    assert verify_as_auditor(case_world) == {
        "network": five_reads.pk,
        "ok": True,
        "records": 7,
        "first_broken": None,
        "witness": {
            "sequence": 5,
            "at": "2024-06-10T12:00:00+09:00",
            "status": "ok",
            "bad_lines": [],
        },
    }


def test_verify_reports_a_chain_rewritten_after_it_was_witnessed(
    witness_file, case_world, five_reads, time_machine
):
    witness_command()  # witnesses #5
    time_machine.move_to(datetime(2024, 6, 10, 13, 0, tzinfo=TOKYO), tick=False)
    read(case_world, 2)
    witness_command()  # witnesses #7
    # Records 6 and 7 replaced by a chain that holds by itself (as with the key in hand).
    cut_chain_end(five_reads, keep=5)
    rewind_head(five_reads, to=5)
    time_machine.move_to(datetime(2024, 6, 10, 14, 0, tzinfo=TOKYO), tick=False)
    read(case_world, 3)
    assert access_chain_verify(five_reads, witness=None).ok is True
    body = verify_as_auditor(case_world)
    assert (body["ok"], body["records"], body["first_broken"]) == (False, 8, 6)
    assert body["witness"]["status"] == "differs"
    assert body["witness"]["sequence"] == 7


def test_verify_reports_a_witness_line_with_a_bad_mac(witness_file, case_world, five_reads):
    witness_command()
    line = lines_of(witness_file)[0]
    forged = {**line, "sequence": 4, "hash": AccessRecord.objects.get(sequence=4).hash}
    with witness_file.open("a") as handle:
        handle.write(json.dumps(forged) + "\n")  # the MAC of the line for #5: wrong for #4
    body = verify_as_auditor(case_world)
    assert (body["ok"], body["first_broken"]) == (False, None)
    assert body["witness"] == {
        "sequence": 5,
        "at": "2024-06-10T12:00:00+09:00",
        "status": "bad_line",
        "bad_lines": [2],
    }


@pytest.mark.parametrize(
    "line",
    [
        '{"network": NET, "sequence": 2, "hash": "é", "at": "x", "mac": "é"}',
        '{"network": NET, "sequence": 99999999999999999999999, "hash": "a", "at": "", "mac": ""}',
        "[" * 100000 + "]" * 100000,
    ],
)
def test_a_damaged_witness_line_is_reported_not_a_crash(witness_file, case_world, five_reads, line):
    witness_command()
    with witness_file.open("a") as handle:
        handle.write(line.replace("NET", str(five_reads.pk)) + "\n")
    api = APIClient()
    api.force_authenticate(case_world.world.auditor)
    assert api.get(VERIFY_URL).status_code == 200
    with pytest.raises(CommandError):
        witness_command("--verify")


def test_a_forged_line_cannot_bless_a_cut_chain(witness_file, case_world, five_reads):
    witness_command()
    cut_chain_end(five_reads, keep=3)
    record = AccessRecord.objects.get(sequence=3)
    forged = {"network": five_reads.pk, "sequence": 3, "hash": record.hash, "at": "x", "mac": "0"}
    with witness_file.open("a") as handle:
        handle.write(json.dumps(forged) + "\n")
    body = verify_as_auditor(case_world)
    assert (body["ok"], body["first_broken"]) == (False, 4)
    assert body["witness"]["status"] == "behind_witness"
    assert body["witness"]["bad_lines"] == [2]


def test_an_older_witness_line_still_counts_after_a_newer_lower_one(
    witness_file, case_world, five_reads
):
    """Someone holding the key cuts the chain and writes a valid line for the cut head: the
    earlier line for #5 still says what was there."""
    witness_command()
    cut_chain_end(five_reads, keep=3)
    key = access_chain_key(five_reads.pk)
    head_hash = AccessRecord.objects.get(sequence=3).hash
    with witness_file.open("a") as handle:
        text = witness_line_text(
            key, network=five_reads.pk, sequence=3, last_hash=head_hash, at="y"
        )
        handle.write(text + "\n")
    body = verify_as_auditor(case_world)
    assert (body["ok"], body["first_broken"]) == (False, 4)
    assert body["witness"]["sequence"] == 5


def test_a_network_without_a_witness_line_is_verified_as_before(
    witness_file, case_world, five_reads
):
    witness_file.write_text("")  # configured, but nothing witnessed yet
    assert verify_as_auditor(case_world) == {
        "network": five_reads.pk,
        "ok": True,
        "records": 5,
        "first_broken": None,
    }


def test_witness_lines_of_another_network_do_not_count(witness_file, case_world, five_reads):
    other = case_world.world.other_network
    line = witness_line_text(
        access_chain_key(other.pk), network=other.pk, sequence=9, last_hash="a" * 64, at="z"
    )
    witness_file.write_text(line + "\n")
    assert "witness" not in verify_as_auditor(case_world)


def test_a_witness_line_for_one_network_is_not_valid_for_another(
    witness_file, case_world, five_reads
):
    """The MAC is under the network's own key: a line moved to another network's id fails."""
    witness_command()
    line = lines_of(witness_file)[0]
    moved = {**line, "network": case_world.world.other_network.pk}
    witness_file.write_text(json.dumps(moved) + "\n")
    report = access_chain_verify(case_world.world.other_network)
    assert (report.ok, report.witness.status, report.witness.bad_lines) == (False, "bad_line", (1,))


# --- the auditor's own copy -----------------------------------------------------------------


def test_command_verifies_against_the_auditors_copy(witness_file, tmp_path, five_reads):
    witness_command()
    copy = tmp_path / "auditor-copy.jsonl"
    copy.write_bytes(witness_file.read_bytes())
    witness_file.unlink()  # whoever cut the chain also removed the server's witness
    cut_chain_end(five_reads, keep=2)
    out = StringIO()
    with pytest.raises(CommandError, match="1 chain"):
        call_command("audit_witness", "--verify", "--witness", str(copy), stdout=out)
    assert json.loads(out.getvalue().splitlines()[0]) == {
        "network": five_reads.pk,
        "ok": False,
        "records": 2,
        "first_broken": 3,
        "witness": {
            "sequence": 5,
            "at": "2024-06-10T12:00:00+09:00",
            "status": "behind_witness",
            "bad_lines": [],
        },
    }


def test_command_verify_reports_a_network_deleted_whole(witness_file, tmp_path, five_reads):
    """A witness naming a network whose chain is gone, head and all, is still checked."""
    witness_command()
    cut_chain_end(five_reads, keep=0)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("audit_witness", "--verify", stdout=out)
    report = json.loads(out.getvalue().splitlines()[0])
    assert (report["network"], report["ok"], report["first_broken"]) == (five_reads.pk, False, 1)


def test_command_verify_of_an_intact_chain_succeeds(witness_file, five_reads):
    witness_command()
    out, _ = witness_command("--verify", "--network", str(five_reads.pk))
    first, summary = out.splitlines()
    assert json.loads(first)["ok"] is True
    assert "1 chain(s) verify" in summary


def test_command_verify_reports_lines_that_are_no_witness_line(witness_file, five_reads):
    witness_command()
    with witness_file.open("a") as handle:
        handle.write("not a witness line\n")
    with pytest.raises(CommandError, match="no witness line"):
        witness_command("--verify")


def test_syslog_witness_is_verified_from_the_copy_the_auditor_supplies(
    settings, tmp_path, case_world, five_reads
):
    """Syslog cannot be read back: the API verifies the chain alone, and the command asks
    for the auditor's extract (syslog prefixes and all)."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    address = str(tmp_path / "log.sock")
    server.bind(address)
    server.settimeout(5)
    settings.AUDIT_WITNESS = f"syslog:{address}"
    settings.AUDIT_WITNESS_FACILITY = "local3"
    try:
        witness_command()
        message = server.recv(4096).decode()
    finally:
        server.close()
        os.unlink(address)
    assert message.startswith(f"<{19 * 8 + 6}>renkei-witness: {{")  # local3.info
    assert "witness" not in verify_as_auditor(case_world)
    with pytest.raises(CommandError, match="cannot be read back"):
        witness_command("--verify")
    extract = tmp_path / "from-syslog.log"
    # As a log server files it: its own prefix, the priority gone, the NUL kept or not.
    extract.write_text(f"Jun 10 12:00:00 app1 {message.split('>', 1)[1]}\n")
    cut_chain_end(five_reads, keep=4)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("audit_witness", "--verify", "--witness", str(extract), stdout=out)
    report = json.loads(out.getvalue().splitlines()[0])
    assert (report["first_broken"], report["witness"]["status"]) == (5, "behind_witness")


def test_syslog_over_tcp_sends_one_line_per_head(settings, case_world, five_reads):
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(5)
    settings.AUDIT_WITNESS = f"syslog:tcp://127.0.0.1:{server.getsockname()[1]}"
    try:
        witness_command()
        connection_, _ = server.accept()
        with connection_:
            connection_.settimeout(5)
            message = connection_.recv(4096).decode()
    finally:
        server.close()
    assert message.startswith("<134>renkei-witness: {")  # local0.info
    assert message.endswith("}\n") and "\0" not in message
    assert json.loads(message.split(": ", 1)[1])["sequence"] == 5


def test_an_unreachable_syslog_fails_the_command(settings, tmp_path, five_reads):
    settings.AUDIT_WITNESS = f"syslog:{tmp_path / 'no-daemon.sock'}"
    with pytest.raises(CommandError, match="could not be written"):
        witness_command()


# --- configuration ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kind", "address"),
    [
        ("file:/var/lib/renkei/witness.jsonl", "file", None),
        ("syslog", "syslog", "/dev/log"),
        ("syslog:/run/systemd/journal/syslog", "syslog", "/run/systemd/journal/syslog"),
        ("syslog:udp://logs.example.lg.jp:514", "syslog", ("logs.example.lg.jp", 514)),
        ("syslog:tcp://[2001:db8::1]:6514", "syslog", ("2001:db8::1", 6514)),
    ],
)
def test_witness_setting_forms(raw, kind, address):
    target = parse_witness_setting(raw)
    assert (target.kind, target.address) == (kind, address)


@pytest.mark.parametrize(
    "raw", ["witness.jsonl", "file:relative.jsonl", "syslog:logs:514", "syslog:udp://nohost"]
)
def test_witness_setting_refuses_other_forms(raw):
    with pytest.raises(ImproperlyConfigured):
        parse_witness_setting(raw)


def test_unknown_witness_setting_fails_the_system_check(settings):
    settings.AUDIT_WITNESS = "ftp://elsewhere"
    assert "permissions.E001" in {message.id for message in run_checks()}
    settings.AUDIT_WITNESS_FACILITY = "nonsense"
    settings.AUDIT_WITNESS = "syslog"
    assert "permissions.E001" in {message.id for message in run_checks()}


def test_witness_read_of_a_missing_file_is_an_empty_witness(tmp_path):
    log = witness_read(tmp_path / "absent.jsonl")
    assert (log.lines, log.unreadable) == ({}, [])


# --- verifying while others read --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite reads one snapshot anyway")
def test_verify_is_not_fooled_by_a_record_appended_while_it_walks(case_world, monkeypatch):
    """The walk and the head are read from one snapshot: a read recorded by another request
    between them (the head moves on) is not mistaken for a chain cut short."""
    import threading

    from django.db import connections

    from permissions import services

    read(case_world, 3)
    original = services.access_record_hash
    appended = []

    def append_elsewhere():
        try:
            read(case_world)
        finally:
            connections.close_all()

    def hash_then_append(key, **fields):
        if fields["sequence"] == 3 and not appended:
            appended.append(True)
            thread = threading.Thread(target=append_elsewhere)
            thread.start()
            thread.join()
        return original(key, **fields)

    monkeypatch.setattr(services, "access_record_hash", hash_then_append)
    report = access_chain_verify(case_world.world.network, witness=None)
    assert appended and AccessRecord.objects.count() == 4
    assert (report.ok, report.records, report.head[0]) == (True, 3, 3)
