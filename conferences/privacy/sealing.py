"""The one place values are sealed and unsealed, and the one audited read.

`seal` and `unseal` work on any record whose model is in the encrypted-field registry
(`encryption.register_encrypted_fields`, declared in `ConferencesConfig.ready`): the registry
says which fields are sealed and under which data key (the record's own, or one reached
through another record, as minutes revisions through their minutes), and `field_aad` binds
each value to its record and field. A value that does not open where it is (moved,
altered, its key destroyed) is logged as critical and raises `IntegrityAlarm` (500) with
nothing of the data.

`read_audited` is the only way unsealed content leaves for a response: it opens the
transaction, refuses purged content, unseals through the caller's function and writes the
access record of every case concerned, so that no record means no content.
"""

import logging
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db import transaction
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from conferences.privacy import encryption
from config.errors import Conflict, IntegrityAlarm
from permissions import services as grants

logger = logging.getLogger("renkei.sealing")

T = TypeVar("T")


def _entry(obj) -> encryption.EncryptedFields:
    return encryption.encrypted_fields_of(type(obj))


def _known(entry: encryption.EncryptedFields, fields) -> None:
    unknown = set(fields) - set(entry.fields)
    if unknown:
        raise ValueError(f"{entry.model._meta.label} has no sealed fields {sorted(unknown)}")


@sensitive_variables()
def seal(obj, values: dict[str, str], *, keys: encryption.DataKeyCache | None = None) -> list[str]:
    """Seal `values` (field → text; None seals as "") into the saved record `obj`, each bound
    to its record and field. Returns the field names, for `save(update_fields=…)`."""
    entry = _entry(obj)
    _known(entry, values)
    data_key, keys = entry.data_key_of(obj), keys or encryption.DataKeyCache()
    for field, text in values.items():
        sealed = encryption.seal(data_key, text or "", aad=entry.aad(field, obj.pk), keys=keys)
        setattr(obj, field, sealed)
    return list(values)


@sensitive_variables()
def unseal(obj, fields: Iterable[str], *, keys: encryption.DataKeyCache | None = None) -> dict:
    """`fields` of the record `obj` as text, in memory (NULL, as purged content is, comes back
    as ""). Only the read services call it, inside `read_audited`, and the writes that
    compare or screen what they keep. A value that does not open is an integrity alarm."""
    entry = _entry(obj)
    fields = list(fields)
    _known(entry, fields)
    keys = keys or encryption.DataKeyCache()
    try:
        data_key = entry.data_key_of(obj)
        return {
            field: ""
            if getattr(obj, field) is None
            else encryption.unseal(
                data_key, getattr(obj, field), aad=entry.aad(field, obj.pk), keys=keys
            )
            for field in fields
        }
    except (encryption.DecryptionError, encryption.KeyDestroyedError, TypeError) as error:
        logger.critical(
            "%s %s: sealed content failed to open: %s", entry.model._meta.label_lower, obj.pk, error
        )
        raise IntegrityAlarm("content_integrity") from None


def require_not_purged(case) -> None:
    """409 `content_purged` for a purged case: there is nothing to read any more."""
    if case.purged_at is not None:
        raise Conflict("content_purged", _("This case's content has been destroyed."))


def read_audited(
    *,
    reader,
    cases: Iterable,
    fields: list[str],
    via: str,
    read: Callable[[encryption.DataKeyCache], T],
    network=None,
    purged_check: bool = True,
) -> T:
    """Unseal through `read(keys)` and record the reading in the access chain of each of
    `cases`, in one transaction: if a record cannot be written (the second factor refused,
    say), nothing is returned and whatever the transaction wrote is undone.

    `purged_check`: the content is the cases' own (keyed under their data key), so a purged
    case is 409 `content_purged`. `network`: the network's second-factor rule applies even
    when no case is concerned (sealed minutes of a meeting with no case yet). A reading
    that returns nothing (an empty page) is not recorded."""
    cases = list(cases)
    with transaction.atomic():
        if purged_check:
            for case in cases:
                require_not_purged(case)
        if network is not None:
            grants.second_factor_require(person=reader, network=network)
        value = read(encryption.DataKeyCache())
        if value and cases:
            # One record per case, written together (`access_records_write`).
            grants.access_records_write(person=reader, cases=cases, fields=fields, via=via)
    return value
