"""Every write and state transition of a case, and the one place content is unsealed.

Each transition locks the case, checks its state, writes with `update_fields`, records a
`CaseTransition` and makes the grants the event calls for, in one transaction. An illegal
transition raises `Conflict` with a rule code (409).
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from agencies.models import Agency, User
from conferences import encryption, screening
from conferences.models import (
    NARRATIVE_FIELDS,
    AgendaItem,
    Case,
    CaseStatus,
    CaseTransition,
    MeetingStatus,
)
from config import clock
from config.errors import ApplicationError, Conflict, IntegrityAlarm
from network.fiscal import era_of_year, fiscal_year_of
from network.models import Network
from permissions import services as grants

logger = logging.getLogger("renkei.cases")

FACT_FIELDS = (
    "title",
    "age_band",
    "gender",
    "household",
    "withdrawal_duration",
    "consent_basis",
)

S = CaseStatus
# The life of a case: every move it can make, named for the event that makes it, as (the
# states it may start from, the states it may go to). `case_transition` is the only writer
# of `Case.status` and refuses any move not here; each event's own rule (who, and when
# beyond the state) is its service's.
CASE_MOVES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "submit": ((S.DRAFT,), (S.SUBMITTED,)),
    "withdraw": ((S.DRAFT, S.SUBMITTED, S.SCHEDULED), (S.WITHDRAWN,)),
    "close": ((S.SUBMITTED, S.REVIEWED, S.MONITORING), (S.CLOSED,)),
    # Put on a practitioners' agenda, and taken off again (back to where it was).
    "schedule": ((S.SUBMITTED, S.MONITORING), (S.SCHEDULED,)),
    "unschedule": ((S.SCHEDULED,), (S.SUBMITTED, S.MONITORING)),
    # A review begins (a scheduled case only at its meeting), and its division of roles is
    # finalised: the case is followed up.
    "review": ((S.SCHEDULED, S.SUBMITTED, S.MONITORING), (S.REVIEWED,)),
    "finalize": ((S.REVIEWED,), (S.MONITORING,)),
}
# States no move leaves: the case is no longer followed up.
CASE_ENDED = tuple(
    state for state in CaseStatus.values if not any(state in s for s, _e in CASE_MOVES.values())
)


class PersonalDataFound(ApplicationError):
    """The screening found personal data: 422 with the findings (excerpts masked)."""

    status_code = 422

    def __init__(self, findings):
        super().__init__(
            "personal_data",
            _("The text contains personal data; remove it before submitting."),
            extra={"findings": [screening.finding_as_dict(f) for f in findings]},
        )
        self.findings = findings


def _aad(case: Case, field: str) -> bytes:
    return encryption.field_aad(Case._meta.label_lower, field, case.pk)


@sensitive_variables()
def _seal_narratives(case: Case, narratives: dict[str, str]) -> list[str]:
    keys = encryption.DataKeyCache()
    for field, text in narratives.items():
        sealed = encryption.seal(case.data_key, text, aad=_aad(case, field), keys=keys)
        setattr(case, field, sealed)
    return list(narratives)


def _record(
    case: Case, *, actor: User | None, to: str, reason: str = "", from_status: str = ""
) -> None:
    CaseTransition.objects.create(
        case=case,
        from_status=from_status,
        to_status=to,
        actor=actor,
        reason=reason,
        at=clock.now(),
    )


def may_start(case: Case, event: str) -> bool:
    """Whether the case's state lets `event` (a key of CASE_MOVES) happen now."""
    return case.status in CASE_MOVES[event][0]


def _guard(case: Case, transition: str) -> None:
    if not may_start(case, transition):
        raise Conflict(
            f"case_not_{'_or_'.join(CASE_MOVES[transition][0])}",
            _("This case is %(status)s; it cannot be %(transition)s now.")
            % {"status": case.get_status_display(), "transition": transition},
        )


def case_transition(*, case: Case, to: str, actor: User | None, reason: str = "", **fields) -> Case:
    """Move a case the caller has locked to `to` and keep the history row: the only writer of
    `Case.status`. `fields` are set with it (`submitted_at`, `closed_at`…). A move that is
    not in CASE_MOVES is a conflict (409 `case_move_not_allowed`): the callers' own checks
    answer first with their rule, this is the table's backstop."""
    if not any(case.status in starts and to in ends for starts, ends in CASE_MOVES.values()):
        raise Conflict(
            "case_move_not_allowed",
            _("This case is %(status)s; it cannot move to %(to)s.")
            % {"status": case.get_status_display(), "to": CaseStatus(to).label},
        )
    previous = case.status
    case.status = to
    for name, value in fields.items():
        setattr(case, name, value)
    case.save(update_fields=["status", *fields, "updated_at"])
    _record(case, actor=actor, from_status=previous, to=to, reason=reason)
    return case


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("data_key").get(pk=case.pk)


@transaction.atomic
def case_create(
    *,
    author: User,
    network: Network,
    involved_agencies: list[Agency] | tuple = (),
    **fields,
) -> Case:
    """Start a draft case for the author's agency, its narratives sealed under a new data
    key of its own. Only the author's agency sees it until it is submitted."""
    narratives = {f: fields.pop(f) for f in NARRATIVE_FIELDS if f in fields}
    unknown = set(fields) - set(FACT_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    case = Case(
        network=network,
        submitting_agency_id=author.agency_id,
        author=author,
        data_key=encryption.data_key_create(),
        **fields,
    )
    case.full_clean(exclude=["data_key", *NARRATIVE_FIELDS])
    case.save()  # the record needs its id before anything is bound to it
    sealed = _seal_narratives(case, {f: narratives.get(f, "") for f in NARRATIVE_FIELDS})
    case.save(update_fields=sealed)
    case.involved_agencies.set(involved_agencies)
    _record(case, actor=author, to=CaseStatus.DRAFT)
    grants.case_created_grants(case)
    return case


@transaction.atomic
def case_update(
    *, actor: User, case: Case, involved_agencies: list[Agency] | None = None, **fields
) -> Case:
    """Change a draft's facts or narratives (only the named ones). 409 once submitted."""
    case = _locked(case)
    if case.status != CaseStatus.DRAFT:
        raise Conflict("case_not_draft", _("Only a draft can be edited."))
    narratives = {f: fields.pop(f) for f in NARRATIVE_FIELDS if f in fields}
    unknown = set(fields) - set(FACT_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    for name, value in fields.items():
        setattr(case, name, value)
    case.full_clean(exclude=["data_key", *NARRATIVE_FIELDS])
    changed = [*fields, *_seal_narratives(case, narratives), "updated_at"]
    case.save(update_fields=changed)
    if involved_agencies is not None:
        case.involved_agencies.set(involved_agencies)
    return case


@sensitive_variables()
def case_narratives_unseal(case: Case, fields=NARRATIVE_FIELDS) -> dict[str, str]:
    """Unseal narratives in memory (the data key unwrapped once). Callers are the two that
    may: the content read (which audits it) and the submission's screening (which keeps
    nothing). Purged content is NULL and comes back as no entry. A value that does not
    belong where it is (copied from another record or field, altered) raises
    IntegrityAlarm (500) after logging it as critical; nothing of it is returned."""
    keys = encryption.DataKeyCache()
    try:
        return {
            field: encryption.unseal(
                case.data_key, getattr(case, field), aad=_aad(case, field), keys=keys
            )
            for field in fields
            if getattr(case, field) is not None
        }
    except (encryption.DecryptionError, encryption.KeyDestroyedError) as error:
        logger.critical("case %s: sealed content failed to open: %s", case.pk, error)
        raise IntegrityAlarm("content_integrity") from None


def _next_code(network: Network, fiscal_year: int) -> tuple[int, str]:
    """The next code of a network's fiscal year, `R3-012`. Callers hold the network's row
    lock, so two submissions at the same moment get consecutive numbers, no gap, no twin."""
    last = (
        Case.objects.filter(network=network, fiscal_year=fiscal_year)
        .exclude(sequence__isnull=True)
        .order_by("-sequence")
        .values_list("sequence", flat=True)
        .first()
    )
    sequence = (last or 0) + 1
    era, year = era_of_year(fiscal_year)
    return sequence, f"{era.romaji[0]}{year}-{sequence:03d}"


def case_submit(*, actor: User, case: Case) -> Case:
    """Screen a draft and submit it: a code for the fiscal year, the network's coordinators
    granted. Raises PersonalDataFound (422) with the findings, leaving the draft as it was;
    the findings' excerpts are case content, so that reading is recorded (and committed)
    before the refusal goes out."""
    with transaction.atomic():
        # The network row lock serialises code assignment within the network.
        network = Network.objects.select_for_update().get(pk=case.network_id)
        case = _locked(case)
        _guard(case, "submit")
        texts = {"title": case.title, **case_narratives_unseal(case)}
        findings = screening.case_screen(network=network, fields=texts)
        if findings:
            fields = sorted({finding.field for finding in findings})
            grants.access_record_write(
                person=actor, case=case, fields=fields, via="POST /cases/{id}/submit/ (findings)"
            )
        else:
            now = clock.now()
            case.fiscal_year = fiscal_year_of(now)
            case.sequence, case.code = _next_code(network, case.fiscal_year)
            case_transition(
                case=case,
                to=CaseStatus.SUBMITTED,
                actor=actor,
                submitted_at=now,
                fiscal_year=case.fiscal_year,
                sequence=case.sequence,
                code=case.code,
            )
            grants.case_submitted_grants(case)
    if findings:
        raise PersonalDataFound(findings)
    return case


@transaction.atomic
def case_withdraw(*, actor: User, case: Case, reason: str = "") -> Case:
    """The submitting agency takes a case back (draft, submitted or scheduled). It keeps its
    code, so codes never gap. A scheduled case leaves the agendas of open meetings, and
    what those meetings granted on it is withdrawn (consent may have been withdrawn)."""
    case = _locked(case)
    if case.status == CaseStatus.WITHDRAWN:
        return case
    _guard(case, "withdraw")
    open_items = AgendaItem.objects.filter(
        case=case, meeting__status__in=[MeetingStatus.DRAFT, MeetingStatus.CONVENED]
    )
    for meeting_id in open_items.values_list("meeting_id", flat=True):
        grants.case_user_revoke(case=case, source=f"meeting:{meeting_id}")
        grants.case_user_revoke(case=case, source=f"meeting:{meeting_id}:facts")
    open_items.delete()
    case_transition(case=case, to=CaseStatus.WITHDRAWN, actor=actor, reason=reason)
    grants.case_roles_content_revoke(case=case)  # consent may have been withdrawn
    return case


@transaction.atomic
def case_close(*, actor: User, case: Case, reason: str = "") -> Case:
    """A coordinator closes a case; the retention period starts now."""
    case = _locked(case)
    if case.status == CaseStatus.CLOSED:
        return case
    _guard(case, "close")
    case_transition(
        case=case, to=CaseStatus.CLOSED, actor=actor, reason=reason, closed_at=clock.now()
    )
    # Role holders keep the facts and their own tasks; the content was theirs while the
    # case was followed up.
    grants.case_roles_content_revoke(case=case)
    return case


@transaction.atomic
def case_purge(*, actor: User | None, case: Case, reason: str = "") -> Case:
    """Destroy a closed case's data key: its content becomes unrecoverable with any key in
    the keyring, while its facts and statistics stay. Idempotent. 409 unless closed."""
    case = _locked(case)
    if case.purged_at is not None:
        return case
    if case.status != CaseStatus.CLOSED:
        raise Conflict("case_not_closed", _("Only a closed case can be purged."))
    encryption.data_key_destroy(case.data_key)
    for field in NARRATIVE_FIELDS:
        setattr(case, field, None)
    case.purged_at = clock.now()
    case.save(update_fields=[*NARRATIVE_FIELDS, "purged_at"])
    _record(case, actor=actor, from_status=case.status, to=case.status, reason=reason or "purge")
    return case


def retention_ends(case: Case):
    """When a closed case's content must be destroyed: its network's retention years after
    closing (same month and day; 29 February falls on 28 February)."""
    years = case.network.retention_years
    try:
        return case.closed_at.replace(year=case.closed_at.year + years)
    except ValueError:
        return case.closed_at.replace(year=case.closed_at.year + years, day=28)


def cases_purge_expired(*, now=None) -> list[Case]:
    """Purge every closed case whose retention has ended (the service's own job: no actor).
    Each case is purged in its own transaction, so an interruption loses nothing done."""
    now = now or clock.now()
    candidates = Case.objects.filter(
        status=CaseStatus.CLOSED, purged_at__isnull=True, closed_at__isnull=False
    ).select_related("network")
    return [
        case_purge(actor=None, case=case, reason="retention expired")
        for case in candidates.iterator()
        if retention_ends(case) <= now
    ]


@transaction.atomic
def case_content_read(*, reader: User, case: Case, via: str) -> dict[str, str]:
    """Unseal a case's content for a response and record that reading in the access chain,
    in one transaction: no record, no content. The caller has established (through
    `permissions.selectors.case_access`) that the reader may read it. 409 `content_purged`
    for a purged case: there is nothing to read, and nothing is recorded."""
    if case.purged_at is not None:
        raise Conflict("content_purged", _("This case's content has been destroyed."))
    content = case_narratives_unseal(case)
    content = {field: content.get(field, "") for field in NARRATIVE_FIELDS}
    grants.access_record_write(person=reader, case=case, fields=list(NARRATIVE_FIELDS), via=via)
    return content
