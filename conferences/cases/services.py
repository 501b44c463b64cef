"""Every write and state transition of a case, and its one read for a response.

Each service that acts for a person first asks `permissions.rules` whether they may, and
raises `Forbidden` with the rule's code (403) otherwise. Each transition locks the case,
checks its state, writes with `update_fields`, records a `CaseTransition` and makes the
grants the event calls for, in one transaction. An illegal transition raises `Conflict`
with a rule code (409). Narratives are sealed and unsealed through `conferences.privacy.sealing`
only, and leave for a response only through `sealing.read_audited`.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import Agency, User
from conferences.cases.selectors import with_case_relations
from conferences.models import (
    NARRATIVE_FIELDS,
    AgendaItem,
    Case,
    CaseStatus,
    CaseTransition,
    MeetingStatus,
)
from conferences.privacy import encryption, sealing
from conferences.privacy import services as screening
from config import clock
from config.errors import ApplicationError, Conflict, Forbidden
from network.fiscal import era_of_year, fiscal_year_of
from network.models import Network
from permissions import rules
from permissions import services as grants

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

    def __init__(self, findings, draft: dict[str, str] | None = None):
        super().__init__(
            "personal_data",
            _("The text contains personal data; remove it before submitting."),
            extra={"findings": [screening.finding_as_dict(f) for f in findings]},
        )
        self.findings = findings
        # The draft's narratives, read in the same recorded reading as the findings, for a
        # caller that shows the draft again (`case_submit(show_draft=True)`); else None.
        self.draft = draft


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


def _require(allowed: bool, code: str) -> None:
    """403 with the rule's code (the message is the API's for any refusal)."""
    if not allowed:
        raise Forbidden(code)


@transaction.atomic
def case_create(
    *,
    author: User,
    network: Network,
    involved_agencies: list[Agency] | tuple = (),
    **fields,
) -> Case:
    """Start a draft case for the author's agency, its narratives sealed under a new data
    key of its own. Only the author's agency sees it until it is submitted.

    The person is checked by `case_start` (`rules.may_start_case`), the service a person
    starts a case through (the pages', and the API's through `case_create_and_read`); this
    one is its building block (and the demo loader's, and the tests' that write cases at
    moments before the author's seat began)."""
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
    sealed = sealing.seal(case, {f: narratives.get(f, "") for f in NARRATIVE_FIELDS})
    case.save(update_fields=sealed)
    case.involved_agencies.set(involved_agencies)
    _record(case, actor=author, to=CaseStatus.DRAFT)
    grants.case_created_grants(case)
    return case


def case_start(*, author: User, network: Network, **fields) -> Case:
    """A person starts a draft: 403 `not_a_submitting_agency` unless they may start cases in
    the network (`rules.may_start_case`); then `case_create`. Nothing is read back (a page
    that redirects shows no content, so records no reading)."""
    _require(rules.may_start_case(author, network), "not_a_submitting_agency")
    return case_create(author=author, network=network, **fields)


def is_editable(case: Case) -> bool:
    """Whether the case's state lets it be edited now: only drafts are."""
    return case.status == CaseStatus.DRAFT


def require_editable(case: Case) -> None:
    """409 `case_not_draft` unless the case is editable now (`is_editable`): what
    `case_update` checks under its lock, and the edit page before showing the form."""
    if not is_editable(case):
        raise Conflict("case_not_draft", _("Only a draft can be edited."))


@transaction.atomic
def case_update(
    *, actor: User, case: Case, involved_agencies: list[Agency] | None = None, **fields
) -> Case:
    """Change a draft's facts or narratives (only the named ones). 403 `not_your_case` but
    for the submitting agency; 409 once submitted."""
    _require(rules.may_edit_case(actor, case), "not_your_case")
    case = _locked(case)
    require_editable(case)
    narratives = {f: fields.pop(f) for f in NARRATIVE_FIELDS if f in fields}
    unknown = set(fields) - set(FACT_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    for name, value in fields.items():
        setattr(case, name, value)
    case.full_clean(exclude=["data_key", *NARRATIVE_FIELDS])
    changed = [*fields, *sealing.seal(case, narratives), "updated_at"]
    case.save(update_fields=changed)
    if involved_agencies is not None:
        case.involved_agencies.set(involved_agencies)
    return case


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


FINDINGS_VIA = "POST /cases/{id}/submit/ (findings)"


def case_submit(
    *, actor: User, case: Case, via: str = FINDINGS_VIA, show_draft: bool = False
) -> Case:
    """Screen a draft and submit it: a code for the fiscal year, the network's coordinators
    granted. Raises PersonalDataFound (422) with the findings, leaving the draft as it was;
    the findings' excerpts are case content, so that reading is recorded (and committed)
    before the refusal goes out, as coming through `via`. 403 `not_your_case` but for the
    submitting agency.

    `show_draft`: the caller shows the draft again with the findings (the pages' form), so
    the one recorded reading covers every narrative and the refusal carries them
    (`PersonalDataFound.draft`), where the actor may read the content now; one reading, one
    record, for the one response."""
    _require(rules.may_submit_case(actor, case), "not_your_case")
    draft = None
    with transaction.atomic():
        # The network row lock serialises code assignment within the network.
        network = Network.objects.select_for_update().get(pk=case.network_id)
        case = _locked(case)
        _guard(case, "submit")
        texts = {"title": case.title, **sealing.unseal(case, NARRATIVE_FIELDS)}
        findings = screening.case_screen(network=network, fields=texts)
        if findings:
            # The findings' excerpts go out in the refusal: an audited reading of the
            # fields they come from.
            fields = {finding.field for finding in findings}
            if show_draft and rules.may_read_case_content(actor, case):
                fields.update(NARRATIVE_FIELDS)
                draft = {name: texts[name] for name in NARRATIVE_FIELDS}
            sealing.read_audited(
                reader=actor,
                cases=[case],
                fields=sorted(fields),
                via=via,
                read=lambda _keys: findings,
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
        raise PersonalDataFound(findings, draft)
    return case


@transaction.atomic
def case_withdraw(*, actor: User, case: Case, reason: str = "") -> Case:
    """The submitting agency takes a case back (draft, submitted or scheduled). It keeps its
    code, so codes never gap. A scheduled case leaves the agendas of open meetings, and
    what those meetings granted on it is withdrawn (consent may have been withdrawn). 403
    `not_your_case` but for the submitting agency."""
    _require(rules.may_withdraw_case(actor, case), "not_your_case")
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
    """A coordinator closes a case; the retention period starts now. 403 `coordinator_only`
    for anyone else."""
    _require(rules.may_close_case(actor, case), "coordinator_only")
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
    the keyring, while its facts and statistics stay. Idempotent. 409 unless closed. A person
    must coordinate the network (403 `coordinator_only`); `actor=None` is the service's own
    retention job (`cases_purge_expired`)."""
    if actor is not None:
        _require(rules.may_purge_case(actor, case), "coordinator_only")
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


# --- reading a case for a response ----------------------------------------------------------


def case_narratives_unseal(case: Case, fields=NARRATIVE_FIELDS) -> dict[str, str]:
    """The case's narratives in memory, through `sealing.unseal` (no sealing code of its
    own), purged (NULL) fields as no entry. Nothing is recorded, so nothing of it may reach a
    response: responses go through `case_content_read`. No service calls it (the submission
    screens through `sealing.unseal`); the checks of content at rest do."""
    present = [field for field in fields if getattr(case, field) is not None]
    return sealing.unseal(case, present)


def case_content_read(*, reader: User, case: Case, via: str) -> dict[str, str]:
    """A case's narratives for a response, unsealed and recorded in the access chain in one
    transaction (`sealing.read_audited`): no record, no content. 403 `permission_denied`
    unless the reader may read them now; 409 `content_purged` for a purged case (nothing is
    there to read, whoever asks)."""
    sealing.require_not_purged(case)
    _require(rules.may_read_case_content(reader, case), "permission_denied")
    return _content_read(reader=reader, case=case, via=via)


def _content_read(*, reader: User, case: Case, via: str) -> dict[str, str]:
    return sealing.read_audited(
        reader=reader,
        cases=[case],
        fields=list(NARRATIVE_FIELDS),
        via=via,
        read=lambda keys: sealing.unseal(case, NARRATIVE_FIELDS, keys=keys),
    )


def case_detail_read(*, reader: User, case: Case, via: str) -> dict:
    """What a reader of the case's facts gets: `{"case": the case, "content": narratives or
    None, "content_refusal": None or "otp_required", "content_answer": the rule's answer}`.
    Content only where the reader may read it now (audited, `case_content_read`); a reader
    the network's second-factor rule turns away gets `content_refusal` (the API's field);
    `content_answer` is `rules.case_content_answer`'s code (shown, purged, otp_required, or
    None: not theirs), for a page to say why in words. The caller has found the case
    among those the reader sees (`conferences.cases.selectors.visible_case_or_404`); called
    directly for someone who does not, it refuses (403 `permission_denied`)."""
    _require(rules.may_see_case(reader, case), "permission_denied")
    answer = rules.case_content_answer(reader, case)
    content = None
    if answer == rules.CASE_CONTENT_SHOWN:  # `case_content_read`'s check, already made
        content = _content_read(reader=reader, case=case, via=via)
    refusal = answer if answer == rules.CASE_CONTENT_OTP_REQUIRED else None
    return {"case": case, "content": content, "content_refusal": refusal, "content_answer": answer}


def _with_relations(case: Case) -> Case:
    return with_case_relations(Case.objects.all()).get(pk=case.pk)


@transaction.atomic
def case_create_and_read(*, author: User, network: Network, via: str, **fields) -> dict:
    """A person starts a case (`case_start`: 403 `not_a_submitting_agency` unless they may
    start cases in the network), and the new case read back for the response
    (`case_detail_read`) in the same transaction: if the reading is refused, nothing was
    created."""
    case = case_start(author=author, network=network, **fields)
    return case_detail_read(reader=author, case=_with_relations(case), via=via)


@transaction.atomic
def case_update_and_read(*, actor: User, case: Case, via: str, **fields) -> dict:
    """`case_update`, and the case read back for the response (`case_detail_read`) in the
    same transaction: if the reading is refused, nothing was changed."""
    case_update(actor=actor, case=case, **fields)
    return case_detail_read(reader=actor, case=_with_relations(case), via=via)
