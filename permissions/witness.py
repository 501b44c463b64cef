"""The access chains' witness: each network's chain head, written outside the database.

A chain and its keyed head catch a record altered or removed in the middle, but someone
who can delete rows can also delete the last records together with the head row, and what
is left still verifies. `manage.py audit_witness` (run daily) therefore writes each head
(network, sequence, hash, time) as one JSON line to a witness the database cannot touch:
an append-only file, or syslog (forwarded to a log server). Verifying compares each chain
with every witness line for its network: a chain shorter than, or different from, what
was once witnessed is reported with the first sequence no longer vouched for.

A witness line carries its own MAC under the network's chain key, so a line forged
without the keyring (say, to bless a chain that was cut) is detected. This module holds
the line format, where the witness is (setting `AUDIT_WITNESS`), appending and reading;
comparing lines with the chain is `permissions.selectors.access_chain_verify`.
"""

import hashlib
import hmac
import json
import logging
import os
import socket
from dataclasses import dataclass, field
from logging.handlers import SysLogHandler
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SYSLOG_IDENT = "renkei-witness"
DEFAULT_SYSLOG_SOCKET = "/dev/log"
MAX_ID = 2**63 - 1  # ids and sequences are 64-bit in the database

log = logging.getLogger("renkei.audit")


class WitnessError(Exception):
    """The witness cannot be written (or read back): nothing was witnessed."""


# --- the line -----------------------------------------------------------------------------


def witness_line_mac(key: bytes, *, network: int, sequence: int, last_hash: str, at: str) -> str:
    """HMAC-SHA256 of one witness line under the network's chain key (`witness|` keeps it
    apart from the head's own MAC, which uses the same key)."""
    message = f"witness|{network}|{sequence}|{last_hash}|{at}"
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class WitnessLine:
    """One witnessed head, as read back. `line` is its 1-based line number in the file."""

    network: int
    sequence: int
    hash: str
    at: str
    mac: str
    line: int = 0

    def verifies(self, key: bytes) -> bool:
        expected = witness_line_mac(
            key, network=self.network, sequence=self.sequence, last_hash=self.hash, at=self.at
        )
        # As bytes: compare_digest refuses str with characters outside ASCII.
        return hmac.compare_digest(expected.encode(), self.mac.encode())


def witness_line_text(key: bytes, *, network: int, sequence: int, last_hash: str, at: str) -> str:
    """The JSON line (without its newline) that witnesses one head."""
    mac = witness_line_mac(key, network=network, sequence=sequence, last_hash=last_hash, at=at)
    return json.dumps(
        {"network": network, "sequence": sequence, "hash": last_hash, "at": at, "mac": mac},
        separators=(",", ":"),
    )


def _parse_line(text: str, number: int) -> WitnessLine | None:
    # Text before the first "{" is a syslog prefix ("Jun 10 03:00:01 host renkei-witness: ").
    # A syslog transport may leave a NUL or the like after the closing "}".
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end < start:
        return None
    try:
        data = json.loads(text[start : end + 1])
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    network, sequence = data.get("network"), data.get("sequence")
    values = [data.get(name) for name in ("hash", "at", "mac")]
    if not all(type(n) is int and 0 < n <= MAX_ID for n in (network, sequence)):
        return None
    if not all(isinstance(value, str) for value in values):
        return None
    return WitnessLine(network, sequence, *values, line=number)


@dataclass(frozen=True)
class WitnessLog:
    """A witness read back: its lines by network (MACs not yet checked: that takes each
    network's key), and the numbers of the lines that are no witness line at all."""

    source: str
    lines: dict[int, list[WitnessLine]] = field(default_factory=dict)
    unreadable: list[int] = field(default_factory=list)

    def for_network(self, network_id: int) -> list[WitnessLine]:
        return self.lines.get(network_id, [])


def witness_read(path: Path) -> WitnessLog:
    """Read a witness file (the service's own, or an auditor's copy; a syslog extract
    works too). A missing file is an empty witness. Raises OSError if it cannot be read."""
    lines: dict[int, list[WitnessLine]] = {}
    unreadable: list[int] = []
    try:
        handle = open(path, encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return WitnessLog(source=str(path))
    with handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            parsed = _parse_line(text, number)
            if parsed is None:
                unreadable.append(number)
            else:
                lines.setdefault(parsed.network, []).append(parsed)
    return WitnessLog(source=str(path), lines=lines, unreadable=unreadable)


# --- where the witness is -----------------------------------------------------------------


@dataclass(frozen=True)
class WitnessTarget:
    """`kind` is "file" (`path`) or "syslog" (`address`: a socket path or (host, port),
    `socktype` for a remote one, `facility`)."""

    kind: str
    path: Path | None = None
    address: str | tuple[str, int] | None = None
    socktype: int | None = None
    facility: str = "local0"

    @property
    def readable(self) -> bool:
        """Whether the service can read its own witness back (a file; not syslog)."""
        return self.kind == "file"


def _remote(spec: str, socktype: int, raw: str) -> tuple[tuple[str, int], int]:
    host, _, port = spec.rpartition(":")
    if not host or not port.isdigit():
        raise ImproperlyConfigured(f"AUDIT_WITNESS: expected host:port after the scheme ({raw!r})")
    return (host.strip("[]"), int(port)), socktype


def parse_witness_setting(raw: str | None, facility: str = "local0") -> WitnessTarget | None:
    """`AUDIT_WITNESS` → where the witness is; None when it is not set.

    `file:/var/lib/renkei/witness.jsonl` (an absolute path), `syslog` (the local daemon at
    /dev/log), `syslog:/path/to/socket`, `syslog:udp://host:514` or `syslog:tcp://host:514`.
    Raises ImproperlyConfigured for anything else.
    """
    if not raw:
        return None
    if facility not in SysLogHandler.facility_names:
        raise ImproperlyConfigured(
            f"AUDIT_WITNESS_FACILITY: {facility!r} is not a syslog facility (e.g. local0)"
        )
    if raw.startswith("file:"):
        path = Path(raw.removeprefix("file:"))
        if not path.is_absolute():
            raise ImproperlyConfigured(
                f"AUDIT_WITNESS: the file must be an absolute path ({raw!r})"
            )
        return WitnessTarget("file", path=path)
    if raw == "syslog":
        return WitnessTarget("syslog", address=DEFAULT_SYSLOG_SOCKET, facility=facility)
    if raw.startswith("syslog:"):
        rest = raw.removeprefix("syslog:")
        if rest.startswith("udp://"):
            address, socktype = _remote(rest.removeprefix("udp://"), socket.SOCK_DGRAM, raw)
        elif rest.startswith("tcp://"):
            address, socktype = _remote(rest.removeprefix("tcp://"), socket.SOCK_STREAM, raw)
        elif rest.startswith("/"):
            address, socktype = rest, None
        else:
            raise ImproperlyConfigured(
                f"AUDIT_WITNESS: after 'syslog:' give a socket path, udp://host:port or "
                f"tcp://host:port ({raw!r})"
            )
        return WitnessTarget("syslog", address=address, socktype=socktype, facility=facility)
    raise ImproperlyConfigured(
        f"AUDIT_WITNESS must be file:/absolute/path, syslog or syslog:<address> (got {raw!r})"
    )


def configured_witness() -> WitnessTarget | None:
    """The witness the settings name (read when asked, never at import)."""
    return parse_witness_setting(settings.AUDIT_WITNESS, settings.AUDIT_WITNESS_FACILITY)


def configured_witness_log() -> WitnessLog | None:
    """The configured witness read back, or None when there is none to read (not set, or
    syslog). A file the service cannot read is logged and treated as absent, so that
    verifying the chain itself still answers."""
    target = configured_witness()
    if target is None or not target.readable:
        return None
    try:
        return witness_read(target.path)
    except OSError as error:
        log.warning("audit witness %s cannot be read: %s", target.path, error)
        return None


# --- appending ----------------------------------------------------------------------------


def witness_append(target: WitnessTarget, lines: list[str]) -> None:
    """Append witness lines; raises WitnessError if they may not all have been written.

    A file is only ever opened with O_APPEND (never truncated, never rewritten, not
    through a symbolic link) and fsync'd before this returns; a line a crash left
    unfinished is closed with a newline first, so it cannot swallow the next one.
    Syslog lines go out one message each, tagged `renkei-witness`.
    """
    if not lines:
        return
    try:
        if target.kind == "file":
            _append_to_file(target.path, lines)
        else:
            _send_to_syslog(target, lines)
    except OSError as error:
        raise WitnessError(f"the witness could not be written: {error}") from error


def _append_to_file(path: Path, lines: list[str]) -> None:
    # Read access only to look at the last byte: O_APPEND sends every write to the end.
    flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    existed = path.exists()
    fd = os.open(path, flags, 0o640)
    try:
        size = os.fstat(fd).st_size
        unfinished = size > 0 and os.pread(fd, 1, size - 1) != b"\n"
        data = (b"\n" if unfinished else b"") + "".join(f"{line}\n" for line in lines).encode()
        while data:
            written = os.write(fd, data)
            data = data[written:]
        os.fsync(fd)
    finally:
        os.close(fd)
    if not existed:  # make the new file's directory entry durable too
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


class _StrictSysLogHandler(SysLogHandler):
    """Logging handlers swallow sending errors; a witness must not."""

    def handleError(self, record):
        raise  # emit() calls this inside its except block: re-raise what it caught


def _send_to_syslog(target: WitnessTarget, lines: list[str]) -> None:
    handler = _StrictSysLogHandler(
        address=target.address,
        facility=SysLogHandler.facility_names[target.facility],
        socktype=target.socktype,
    )
    handler.ident = f"{SYSLOG_IDENT}: "
    # Over TCP, log servers split messages at line feeds (RFC 6587), not at NULs.
    end = "\n" if target.socktype == socket.SOCK_STREAM else ""
    handler.append_nul = not end
    try:
        for line in lines:
            record = logging.LogRecord(SYSLOG_IDENT, logging.INFO, "", 0, line + end, None, None)
            handler.emit(record)
    finally:
        handler.close()
