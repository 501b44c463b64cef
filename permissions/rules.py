"""Rules of the form "may this person …", each stated once.

The second factor: a network with `require_two_factor` shows case content only to a
sign-in made with a second factor. A sign-in is verified when its authentication says so:
`user.is_verified()` is installed on the request's user by django-otp's OTPMiddleware for
sessions and by `signin.authentication.TokenAuthentication` for API tokens. A user object
without it (loaded from the database, or forced in tests) is an unverified sign-in: the rule
fails closed.

Every predicate here is the only statement of its rule. Services that act for a person ask
them and raise an `ApplicationError`; views (the API, the web pages) may ask the same
predicate earlier, to answer 403 before validating input, and never decide otherwise.

Platform admins (`is_superuser`) administer the service: accounts, agencies, networks and
their settings, seats, staff roles and screening terms (`may_administer_network`, the one
coordinator-only rule they pass). They are not case workers: no rule below lets them see,
write or run cases, meetings, minutes, reviews or roles, whatever Django's superuser
shortcut in `has_perm` would say. "Is a coordinator" is `coordinates`, and nothing else.

The rules shared by every part come first (platform admin, coordinator, network
administration, pledge, content window, second factor), then one section a part: cases,
minutes, meetings (with decisions, plans, calendars), reviews (with roles and progress).
The state rules of a case's life (which move may start from which state) are not here but
in `conferences.cases.services.CASE_MOVES`: they are about the case, not the person.
"""

from dataclasses import dataclass
from datetime import timedelta

from config import clock
from permissions import selectors


def is_platform_admin(user) -> bool:
    """An active platform admin (Django's superuser)."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def coordinates(user, network) -> bool:
    """Whether the person coordinates the network: the coordinator role itself, not the
    superuser shortcut Django's has_perm gives platform admins. Every coordinator-only
    action asks this."""
    return selectors.case_permission(user, "network.coordinate_network", network)


def coordinates_anywhere(user) -> bool:
    """Whether the person coordinates at least one network (what opens the admin's scoped
    pages and the agency registry's "add" to them). Platform admins administer every
    network (`selectors.coordinated_networks`), so they count too."""
    return selectors.coordinated_networks(user).exists()


def may_administer_network(user, network) -> bool:
    """A network's settings, seats, staff roles and screening terms: its coordinators, and
    platform admins (running the service is theirs; none of this is case content). The one
    coordinator-only rule platform admins pass."""
    return coordinates(user, network) or is_platform_admin(user)


def may_manage_screening_terms(user, network) -> bool:
    """The network's allowed and forbidden screening terms (network settings: see
    `may_administer_network`)."""
    return may_administer_network(user, network)


def may_read_network_pledges(user, network) -> bool:
    """Everyone's confidentiality pledges in the network: whoever administers it and its
    auditors; everyone else reads their own."""
    return may_administer_network(user, network) or selectors.case_permission(
        user, "network.audit_network", network
    )


def holds_current_pledge(user, network_id: int) -> bool:
    """A confidentiality pledge for the network and the current fiscal year: nobody reads
    case content without one."""
    if not user.is_authenticated:
        return False
    return selectors.current_pledges().filter(person=user, network_id=network_id).exists()


def content_window_end(meeting):
    """When the content a practitioners' meeting opened to its invitees closes: the
    meeting's end plus the network's content window."""
    return meeting.ends_at + timedelta(days=meeting.network.content_window_days)


def within_content_window(meeting, now=None) -> bool:
    """Whether `now` (default: now) is before the meeting's content window ends. The same
    comparison as a grant's `valid_until` (valid while now < valid_until)."""
    return (now or clock.now()) < content_window_end(meeting)


def sign_in_verified(user) -> bool:
    """Whether this sign-in (the request's session or token) was made with a second factor."""
    is_verified = getattr(user, "is_verified", None)
    return bool(callable(is_verified) and is_verified())


def second_factor_satisfied(user, network) -> bool:
    """Whether the person, signed in as they are, may be shown the network's case content as
    far as the second factor goes (the other rules still apply): always where the network
    does not require one, else only to a verified sign-in."""
    return not network.require_two_factor or sign_in_verified(user)


def second_factor_required(user) -> bool:
    """Whether the person must keep a second factor: a network they belong to requires it,
    or they use the admin (which always does)."""
    if user.is_staff:
        return True
    return selectors.own_networks(user).filter(require_two_factor=True).exists()


def may_reset_second_factor(actor, network) -> bool:
    """Coordinators of the network reset its people's second factor (not their own:
    `signin.services.second_factor_reset` refuses that)."""
    return coordinates(actor, network)


# --- cases ---


def may_start_case(user, network) -> bool:
    """Staff of an agency seated now in the network's practitioners' tier start drafts
    (not auditors or representatives there, not platform admins)."""
    return selectors.case_permission(user, "conferences.add_case", network)


def may_edit_case(user, case) -> bool:
    """The submitting agency's staff write its case (a draft's facts and narratives). Whether
    they see it at all is `selectors.case_access`'s to say, first."""
    return selectors.case_permission(user, "conferences.change_case", case)


def may_submit_case(user, case) -> bool:
    """The submitting agency submits its draft (the state rule is `may_start`'s)."""
    return may_edit_case(user, case)


def may_withdraw_case(user, case) -> bool:
    """The submitting agency takes its case back (consent may have been withdrawn)."""
    return may_edit_case(user, case)


def may_close_case(user, case) -> bool:
    """The network's coordinators close its cases."""
    return coordinates(user, case.network)


def may_purge_case(user, case) -> bool:
    """The network's coordinators destroy a closed case's content (the retention job does it
    too, as the service itself, with no person)."""
    return coordinates(user, case.network)


def may_screen_texts(user, network) -> bool:
    """The screening's dry run, which tells which terms the network forbids: for those who
    write the network's cases and its coordinators, nobody else."""
    return may_start_case(user, network) or coordinates(user, network)


def may_see_case(user, case) -> bool:
    """Whether the person may see the case's facts (code, bands, status) now: what the
    lists and `conferences.cases.selectors.visible_case_or_404` show them."""
    return selectors.visible_cases(user).filter(pk=case.pk).exists()


def may_read_case_content(user, case) -> bool:
    """Whether the person may read the case's content now (the second factor aside): the
    facts rule, a content grant valid now, a current pledge, content not purged."""
    return selectors.case_access(user, case).content


CASE_CONTENT_SHOWN = "shown"
CASE_CONTENT_OTP_REQUIRED = "otp_required"
CASE_CONTENT_PURGED = "purged"


def case_content_answer(user, case) -> str | None:
    """What a reader of a case's facts gets of its content: `CASE_CONTENT_SHOWN`; or
    `CASE_CONTENT_PURGED` once it was destroyed (a fact every reader of the facts sees, the
    API's `content_purged`); or `CASE_CONTENT_OTP_REQUIRED` when they may read it but the
    network wants a sign-in made with a second factor (so a client can ask them to sign in
    again); or None (not theirs to read: nothing is said). The API's `content_refusal`
    carries only the second factor's answer (`cases.services.case_detail_read`)."""
    if case.purged_at is not None:
        return CASE_CONTENT_PURGED
    if not may_read_case_content(user, case):
        return None
    if not second_factor_satisfied(user, case.network):
        return CASE_CONTENT_OTP_REQUIRED
    return CASE_CONTENT_SHOWN


# --- minutes ---


def is_invited(user, meeting) -> bool:
    """Whether the person holds a standing invitation to the meeting: invited, and still
    active staff of the agency invited for (`permissions.selectors.standing_invitations`)."""
    return selectors.standing_invitations().filter(meeting=meeting, person=user).exists()


def minutes_are_case_content(meeting) -> bool:
    """The minutes of a practitioners' meeting may discuss cases: they are case content
    (sealed at rest, read under the rules below, audited); representatives' are not."""
    from network.models import Tier

    return meeting.tier == Tier.PRACTITIONERS


def may_read_minutes(user, meeting) -> bool:
    """Representatives' minutes: whoever sees the meeting. Practitioners' minutes (case
    content): its coordinators, and its invitees until the meeting's content window ends;
    both with a pledge for the current fiscal year. Platform admins never."""
    if not minutes_are_case_content(meeting):
        return True
    if user.is_superuser or not holds_current_pledge(user, meeting.network_id):
        return False
    if coordinates(user, meeting.network):
        return True
    return is_invited(user, meeting) and within_content_window(meeting)


def may_comment_on_minutes(user, meeting) -> bool:
    """Whoever may read the minutes (`may_read_minutes`) and is the meeting's coordinator or
    invited to it; not whoever else sees the meeting (a representative seated after
    convening, say). The services ask `may_read_minutes` first, to tell the two refusals
    apart."""
    return may_read_minutes(user, meeting) and (
        coordinates(user, meeting.network) or is_invited(user, meeting)
    )


def may_write_minutes(user, meeting) -> bool:
    """Writing, circulating, approving and amending the minutes: the network's coordinators."""
    return coordinates(user, meeting.network)


def may_record_attendance(user, meeting) -> bool:
    """Recording who attended a held meeting: the network's coordinators."""
    return coordinates(user, meeting.network)


# --- meetings ---


def may_run_meetings(user, network) -> bool:
    """Who runs a network's meetings: creates drafts and edits them, convenes, marks held,
    closes and cancels them, and sets their agendas (adds, removes and moves items). Its
    coordinators (`coordinates`): not its members, not platform admins (who administer the
    network, not its meetings). 403 `coordinator_only` for whoever sees the meeting and
    asks without it."""
    return coordinates(user, network)


def may_answer_invitation(user, invitation) -> bool:
    """Only the person invited answers an invitation (accepted, declined, pending again):
    not a colleague of their agency, not the coordinator who convened the meeting. 403
    `not_your_invitation` for anyone else who sees the meeting."""
    return bool(user.is_authenticated and invitation.person_id == user.pk)


def agenda_content_answers(user, meeting, cases) -> dict[int, str | None]:
    """`case_content_answer` for each of the cases on a meeting's agenda (all of the
    meeting's network), in one query (`content_readable_cases`): `{case id: answer}`."""
    cases = list(cases)
    readable = set(
        selectors.content_readable_cases(user)
        .filter(pk__in=[case.pk for case in cases])
        .values_list("pk", flat=True)
    )
    verified = second_factor_satisfied(user, meeting.network)
    return {
        case.pk: None
        if case.pk not in readable
        else CASE_CONTENT_SHOWN
        if verified
        else CASE_CONTENT_OTP_REQUIRED
        for case in cases
    }


def may_record_decisions(user, meeting) -> bool:
    """Who records the decisions of a (representatives') meeting and tracks them afterwards
    (text, due date, status): the coordinators of the meeting's network. Whoever sees the
    meeting reads them. 403 `coordinator_only` otherwise."""
    return coordinates(user, meeting.network)


def may_set_plans(user, network) -> bool:
    """Who sets a network's yearly meeting plan (target counts per kind of meeting): its
    coordinators. Platform admins may NOT, though they see the plan as they see every
    network: this is the explicit rule (unlike `may_manage_screening_terms`), the targets
    being the network's own planning. 403 `coordinator_only` otherwise."""
    return coordinates(user, network)


def may_read_calendar_feed(person) -> bool:
    """Whether the personal calendar feed of `person` opens (to whoever holds its secret,
    the only credential calendar programs send), and whether they may be issued a secret:
    only while their account is active. A deactivated person's feed answers like an unknown
    secret (404)."""
    return bool(person is not None and person.is_active)


# --- reviews ---
# The role division (役割分担): reviews, role assignments, answers, progress, follow-ups.


def is_attendee(user, meeting) -> bool:
    """Invited to a meeting that is being held now (a standing invitation: still staff of
    the agency invited for), not having declined, and not recorded as absent."""
    from conferences.models import Attendance, Invitation, MeetingStatus

    if meeting is None or meeting.status != MeetingStatus.HELD:
        return False
    invited = (
        selectors.standing_invitations()
        .filter(meeting=meeting, person=user)
        .exclude(response=Invitation.Response.DECLINED)
        .exists()
    )
    away = Attendance.objects.filter(meeting=meeting, person=user).exclude(
        status=Attendance.Status.PRESENT
    )
    return invited and not away.exists()


def designated_for(user, agency_id: int, network_id: int) -> bool:
    """A person designated for the agency in a current practitioners'-tier membership of
    the network (representatives see no cases at all)."""
    from network.models import Membership, Tier

    if not user.is_active or user.agency_id != agency_id:
        return False
    return (
        Membership.objects.current(clock.today())
        .filter(
            network_id=network_id,
            agency_id=agency_id,
            tier=Tier.PRACTITIONERS,
            designated_people=user,
        )
        .exists()
    )


def may_read_reviews(user, case) -> bool:
    """A case's reviews, their history and its role-division table: whoever may read the
    case's content now (`may_read_case_content`)."""
    return may_read_case_content(user, case)


def may_export_role_division(user, review) -> bool:
    """The role-division table (tasks included) as a file: the readers of the review."""
    return may_read_reviews(user, review.case)


def may_write_review(user, case, meeting) -> bool:
    """Coordinators of the case's network and attendees of the held meeting the review
    belongs to, who may read the case's content now (a current pledge among other things):
    nobody writes about what they may not read."""
    return (coordinates(user, case.network) or is_attendee(user, meeting)) and may_read_reviews(
        user, case
    )


def may_assign_roles(user, review) -> bool:
    """Adding, changing and removing the role assignments of a review: its writers."""
    return may_write_review(user, review.case, review.meeting)


def may_finalize_review(user, review) -> bool:
    """Locking the division of roles: the network's coordinators."""
    return coordinates(user, review.case.network)


def may_invite_role_agency(user, role) -> bool:
    """Inviting a role's agency from outside the network to the case: its coordinators."""
    return coordinates(user, role.review.case.network)


def may_answer_role(user, role, on_behalf: bool = False) -> bool:
    """A designated person of the assigned agency answers for it; a coordinator records
    an agreement given aloud (on behalf)."""
    case = role.review.case
    if on_behalf:
        return coordinates(user, case.network)
    return designated_for(user, role.agency_id, case.network_id)


def may_read_own_agency_roles(user, case) -> bool:
    """Whether the person may read their own agency's tasks on a case whose content they may
    not read: they see its facts (any role of their agency grants them), hold a current
    pledge for its network, and its content still exists."""
    if not user.is_authenticated or not user.is_active or is_platform_admin(user):
        return False
    if case.purged_at is not None or not may_see_case(user, case):
        return False
    return holds_current_pledge(user, case.network_id)


@dataclass(frozen=True)
class RoleReading:
    """What the person may read of a case's division of roles: everything (`all`), or only
    the roles of their own agency (`own_agency`, None when not even those)."""

    all: bool
    own_agency: int | None


def role_reading(user, case) -> RoleReading:
    """Content readers read every role, its tasks and progress; staff of an agency holding
    a role read their own agency's (tasks always, as DOMAIN.md has it), while pledged."""
    if may_read_reviews(user, case):
        return RoleReading(all=True, own_agency=user.agency_id)
    if user.is_authenticated and user.agency_id and may_read_own_agency_roles(user, case):
        return RoleReading(all=False, own_agency=user.agency_id)
    return RoleReading(all=False, own_agency=None)


def may_read_role(user, role) -> bool:
    """Whoever may read the case's content reads every role; a role-holding agency's staff
    read their own agency's roles (tasks always, while pledged)."""
    reading = role_reading(user, role.review.case)
    return reading.all or (reading.own_agency is not None and reading.own_agency == role.agency_id)


def may_read_progress(user, role) -> bool:
    """The role's agency (who may read their own tasks) and coordinators who may read the
    case (API.md: progress is the role's agency's and the coordinators')."""
    case = role.review.case
    reading = role_reading(user, case)
    if reading.own_agency is not None and reading.own_agency == role.agency_id:
        return True
    return reading.all and coordinates(user, case.network)


def may_record_progress(user, role) -> bool:
    """The role's agency (its staff) and the network's coordinators."""
    case = role.review.case
    return (user.is_active and user.agency_id == role.agency_id) or coordinates(user, case.network)


def may_read_follow_ups(user, network) -> bool:
    """A network's follow-up list (overdue tasks, reviews due, answers pending): its
    coordinators."""
    return coordinates(user, network)


def may_read_role_load(user, network) -> bool:
    """The network's coordinators and the staff of its practitioners'-tier agencies: the
    table names agencies and small counts, which the representatives' reports suppress.

    A representative gets the suppressed aggregates, not this, even when their agency also
    sits in the practitioners' tier: only a designation there as well opens it to them."""
    from django.db.models import Exists, OuterRef

    from network.models import Membership, Tier

    if coordinates(user, network):
        return True
    if not (user.is_active and user.agency_id):
        return False
    seats = set(
        Membership.objects.current(clock.today())
        .filter(network=network, agency_id=user.agency_id)
        .annotate(
            designated=Exists(
                Membership.designated_people.through.objects.filter(
                    membership_id=OuterRef("pk"), user_id=user.pk
                )
            )
        )
        .values_list("tier", "designated")
    )
    if (Tier.PRACTITIONERS, True) in seats:
        return True
    if (Tier.REPRESENTATIVES, True) in seats:
        return False
    return any(tier == Tier.PRACTITIONERS for tier, _designated in seats)


def may_add_role_tasks_to_agenda(user, meeting) -> bool:
    """The follow-up round of role tasks on a meeting's agenda: the network's coordinators."""
    return coordinates(user, meeting.network)
