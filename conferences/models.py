"""Meetings, cases and their keys.

`DataKey` belongs to the field encryption (conferences/privacy/encryption.py): one random 256-bit
key per case, stored only wrapped by a key-encryption key (KEK) from the keyring, which
lives outside the database. Destroying a data key makes everything encrypted under it
unrecoverable while the rows themselves (facts, statistics) remain.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from config.inputs import single_line
from network.models import Tier


class DataKey(models.Model):
    """A data-encryption key, wrapped (AES-GCM) by the keyring's KEK named `kek_id`."""

    wrapped_key = models.BinaryField(_("wrapped key"), null=True, editable=False)
    kek_id = models.CharField(_("key-encryption key id"), max_length=64, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    destroyed_at = models.DateTimeField(_("destroyed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("data key")
        verbose_name_plural = _("data keys")

    def __str__(self):
        state = "destroyed" if self.destroyed_at else self.kek_id
        return f"DataKey {self.pk} ({state})"


class AgeBand(models.TextChoices):
    UNDER_15 = "under_15", _("Under 15")
    AGE_15_19 = "15_19", _("15–19")
    TWENTIES = "20s", _("20s")
    THIRTIES = "30s", _("30s")
    FORTIES = "40s", _("40s")
    FIFTIES = "50s", _("50s")
    SIXTIES = "60s", _("60s")
    SEVENTY_PLUS = "70_plus", _("70 and over")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class Household(models.TextChoices):
    ALONE = "alone", _("Lives alone")
    WITH_PARENTS = "with_parents", _("With parents")
    WITH_SPOUSE = "with_spouse", _("With spouse")
    WITH_CHILDREN = "with_children", _("With children")
    WITH_SIBLINGS = "with_siblings", _("With siblings")
    OTHER = "other", _("Other")


class WithdrawalDuration(models.TextChoices):
    UNDER_1Y = "under_1y", _("Under 1 year")
    Y1_3 = "1_3y", _("1–3 years")
    Y3_5 = "3_5y", _("3–5 years")
    Y5_10 = "5_10y", _("5–10 years")
    Y10_20 = "10_20y", _("10–20 years")
    Y20_PLUS = "20y_plus", _("20 years or more")


class ConsentBasis(models.TextChoices):
    PERSON = "person", _("Consent of the person")
    FAMILY = "family", _("Consent of the family")
    ANONYMISED = "anonymised", _("Shared anonymised")


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SCHEDULED = "scheduled", _("Scheduled")
    REVIEWED = "reviewed", _("Reviewed")
    MONITORING = "monitoring", _("Monitoring")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


NARRATIVE_FIELDS = ("summary", "history", "current_support", "difficulties", "questions")


class Case(models.Model):
    """事例: a difficult case an agency submits, de-identified.

    Facts are bands only. The five narratives are stored sealed (AES-GCM under the case's own
    data key, bound to this record and field): the database never holds them in clear, and
    they are unsealed only through `conferences.privacy.sealing` and leave for a response only
    through `sealing.read_audited`, which audits it (`cases.services.case_detail_read`).
    """

    network = models.ForeignKey(
        "network.Network", verbose_name=_("network"), related_name="cases", on_delete=models.PROTECT
    )
    submitting_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("submitting agency"),
        related_name="submitted_cases",
        on_delete=models.PROTECT,
    )
    author = models.ForeignKey(
        "agencies.User",
        verbose_name=_("author"),
        related_name="authored_cases",
        on_delete=models.PROTECT,
    )
    # NULL until submission: drafts have no code, and NULLs never collide in the unique index.
    code = models.CharField(_("case code"), max_length=16, null=True, blank=True)  # noqa: DJ001
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("sequence"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=100, validators=[single_line])
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    household = models.CharField(_("household"), max_length=16, choices=Household.choices)
    withdrawal_duration = models.CharField(
        _("withdrawal duration"), max_length=10, choices=WithdrawalDuration.choices
    )
    involved_agencies = models.ManyToManyField(
        "agencies.Agency",
        verbose_name=_("agencies involved now"),
        related_name="involved_cases",
        blank=True,
    )
    consent_basis = models.CharField(
        _("consent basis for sharing"), max_length=12, choices=ConsentBasis.choices
    )
    status = models.CharField(
        _("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.DRAFT
    )
    data_key = models.OneToOneField(
        DataKey, verbose_name=_("data key"), on_delete=models.PROTECT, related_name="case"
    )
    summary = models.BinaryField(_("summary (sealed)"), null=True)
    history = models.BinaryField(_("history (sealed)"), null=True)
    current_support = models.BinaryField(_("current support (sealed)"), null=True)
    difficulties = models.BinaryField(_("difficulties (sealed)"), null=True)
    questions = models.BinaryField(_("questions for the meeting (sealed)"), null=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    purged_at = models.DateTimeField(_("content purged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-id"]
        permissions = [("view_case_content", _("Can read the case's content"))]
        constraints = [
            models.UniqueConstraint(fields=["network", "code"], name="case_code_unique"),
            models.UniqueConstraint(
                fields=["network", "fiscal_year", "sequence"], name="case_sequence_unique"
            ),
        ]
        indexes = [models.Index(fields=["network", "status"])]

    def __str__(self):
        return self.code or f"{_('draft')} #{self.pk}"


class CaseTransition(models.Model):
    """One change of a case's status: from, to, who, why, when. Never edited."""

    case = models.ForeignKey(Case, related_name="transitions", on_delete=models.CASCADE)
    from_status = models.CharField(_("from"), max_length=12, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=CaseStatus.choices)
    actor = models.ForeignKey(
        "agencies.User",
        verbose_name=_("by"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Empty for the service's own jobs (retention purge)."),
    )
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("case status change")
        verbose_name_plural = _("case status changes")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.case_id}: {self.from_status or '—'} → {self.to_status}"


class ScreeningTerm(models.Model):
    """A network's screening exception (allowed term) or forbidden term.

    Allowed terms are kept in clear with the reason a coordinator accepted them. Forbidden
    terms are stored only as keyed hashes of their normalised form, never in clear, so the
    list itself reveals nothing; the text's tokens are hashed the same way to match them.
    """

    class Kind(models.TextChoices):
        ALLOWED = "allowed", _("Allowed (accepted false positive)")
        FORBIDDEN = "forbidden", _("Forbidden")

    network = models.ForeignKey(
        "network.Network", related_name="screening_terms", on_delete=models.CASCADE
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    term = models.CharField(
        _("term"), max_length=100, blank=True, validators=[single_line]
    )  # allowed terms only
    term_hash = models.CharField(_("keyed hash"), max_length=64)
    category = models.CharField(_("category"), max_length=20, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        "agencies.User", verbose_name=_("by"), related_name="+", on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("screening term")
        verbose_name_plural = _("screening terms")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "kind", "term_hash"], name="screening_term_unique"
            )
        ]

    def __str__(self):
        return self.term if self.kind == self.Kind.ALLOWED else f"{self.term_hash[:12]}…"


# --- Meetings -----------------------------------------------------------------------------


class MeetingKind(models.TextChoices):
    REPRESENTATIVES_MEETING = "representatives_meeting", _("Representatives meeting")
    PRACTITIONERS_MEETING = "practitioners_meeting", _("Practitioners meeting")
    CASE_CONFERENCE = "case_conference", _("Case conference")
    CASE_SUPPORT_MEETING = "case_support_meeting", _("Case support meeting")


# The tier each kind of meeting belongs to (代表者会議 / 実務者会議・事例検討会・個別ケース会議).
KIND_TIER = {
    MeetingKind.REPRESENTATIVES_MEETING: Tier.REPRESENTATIVES,
    MeetingKind.PRACTITIONERS_MEETING: Tier.PRACTITIONERS,
    MeetingKind.CASE_CONFERENCE: Tier.PRACTITIONERS,
    MeetingKind.CASE_SUPPORT_MEETING: Tier.PRACTITIONERS,
}


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONVENED = "convened", _("Convened")
    HELD = "held", _("Held")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(models.Model):
    """A network meeting of one tier: draft → convened (invitations out) → held (attendance
    recorded) → closed; cancelled from draft or convened."""

    network = models.ForeignKey(
        "network.Network",
        verbose_name=_("network"),
        related_name="meetings",
        on_delete=models.PROTECT,
    )
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices)
    kind = models.CharField(_("kind"), max_length=24, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=200, validators=[single_line])
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("location"), max_length=200, blank=True, validators=[single_line])
    online_url = models.URLField(_("online link"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    invited_agencies = models.ManyToManyField(
        "agencies.Agency",
        verbose_name=_("invited agencies"),
        related_name="meeting_invitations",
        blank=True,
        help_text=_("Case support meetings only: the agencies named."),
    )
    # Bumped on every change clients should see (iCalendar SEQUENCE).
    revision = models.PositiveIntegerField(_("revision"), default=0)
    created_by = models.ForeignKey(
        "agencies.User", verbose_name=_("by"), related_name="+", on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["network", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"


class MeetingTransition(models.Model):
    """One change of a meeting's status: from, to, who, why, when. Never edited."""

    meeting = models.ForeignKey(Meeting, related_name="transitions", on_delete=models.CASCADE)
    from_status = models.CharField(_("from"), max_length=10, blank=True)
    to_status = models.CharField(_("to"), max_length=10)
    actor = models.ForeignKey(
        "agencies.User", verbose_name=_("by"), related_name="+", on_delete=models.PROTECT
    )
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("meeting status change")
        verbose_name_plural = _("meeting status changes")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.meeting_id}: {self.from_status or '—'} → {self.to_status}"


class Invitation(models.Model):
    class Response(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    meeting = models.ForeignKey(Meeting, related_name="invitations", on_delete=models.CASCADE)
    person = models.ForeignKey(
        "agencies.User",
        verbose_name=_("person"),
        related_name="invitations",
        on_delete=models.PROTECT,
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), related_name="+", on_delete=models.PROTECT
    )
    response = models.CharField(
        _("response"), max_length=10, choices=Response.choices, default=Response.PENDING
    )
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Set when the person leaves the agency invited for, or is deactivated: from then on the
    # invitation is a record only and gives nothing, even if the person comes back.
    lapsed_at = models.DateTimeField(_("lapsed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["meeting", "agency__name_kana", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="one_invitation_per_person")
        ]

    def __str__(self):
        return f"{self.person} → {self.meeting}"


class AgendaItem(models.Model):
    class Kind(models.TextChoices):
        TOPIC = "topic", _("Topic")
        CASE_REVIEW = "case_review", _("Case review")

    meeting = models.ForeignKey(Meeting, related_name="agenda_items", on_delete=models.CASCADE)
    order = models.PositiveIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True, validators=[single_line])
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        related_name="agenda_items",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    # A generated item's listing (the open role tasks of earlier reviews): facts only.
    details = models.TextField(_("details"), blank=True)
    # The case's status before this item scheduled it, restored if the item is removed.
    case_status_before = models.CharField(max_length=12, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "order", "id"]

    def __str__(self):
        return self.title or str(self.case)


class Attendance(models.Model):
    """Who was at a held meeting: present, absent, or excused (欠席連絡あり); a person may
    attend for a colleague of the same agency (`substitute_for`)."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    meeting = models.ForeignKey(Meeting, related_name="attendance", on_delete=models.CASCADE)
    person = models.ForeignKey(
        "agencies.User", verbose_name=_("person"), related_name="+", on_delete=models.PROTECT
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), related_name="+", on_delete=models.PROTECT
    )
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices)
    substitute_for = models.ForeignKey(
        "agencies.User",
        verbose_name=_("substitute for"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting", "agency__name_kana", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="one_attendance_per_person")
        ]

    def __str__(self):
        return f"{self.person} @ {self.meeting_id}: {self.status}"


class Minutes(models.Model):
    """議事録 of a meeting: draft → circulated → approved (then locked; changes only as an
    amendment). The body of a meeting that reviewed cases is case content: stored sealed
    under the meeting's own data key, like a case's narratives."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CIRCULATED = "circulated", _("Circulated")
        APPROVED = "approved", _("Approved")

    meeting = models.OneToOneField(Meeting, related_name="minutes", on_delete=models.CASCADE)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    revision = models.PositiveIntegerField(_("revision"), default=0)
    body = models.TextField(_("body"), blank=True)  # meetings without cases only
    sealed_body = models.BinaryField(_("body (sealed)"), null=True)  # meetings with cases
    data_key = models.OneToOneField(
        DataKey, on_delete=models.PROTECT, related_name="minutes", null=True, blank=True
    )
    approved_by = models.ForeignKey(
        "agencies.User", related_name="+", on_delete=models.PROTECT, null=True, blank=True
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self):
        return f"{self.meeting} r{self.revision}"


class MinutesRevision(models.Model):
    """The text of minutes before each save (or each amendment after approval): who, when."""

    minutes = models.ForeignKey(Minutes, related_name="revisions", on_delete=models.CASCADE)
    revision = models.PositiveIntegerField(_("revision"))
    body = models.TextField(_("body"), blank=True)
    sealed_body = models.BinaryField(_("body (sealed)"), null=True)
    is_amendment = models.BooleanField(_("amendment"), default=False)
    note = models.TextField(_("note"), blank=True)
    author = models.ForeignKey(
        "agencies.User", verbose_name=_("by"), related_name="+", on_delete=models.PROTECT
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("minutes revision")
        verbose_name_plural = _("minutes revisions")
        ordering = ["minutes", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["minutes", "revision"], name="one_minutes_revision")
        ]

    def __str__(self):
        return f"{self.minutes_id} r{self.revision}"


class MinutesComment(models.Model):
    """A comment on circulated minutes, by an invitee or a coordinator. Never edited. On
    minutes that are case content (a practitioners' meeting) the body is stored sealed under
    the minutes' data key, bound to this record, like the minutes' own body."""

    minutes = models.ForeignKey(Minutes, related_name="comments", on_delete=models.CASCADE)
    body = models.TextField(_("body"), blank=True)  # minutes kept in clear only
    sealed_body = models.BinaryField(_("body (sealed)"), null=True)  # minutes of case content
    author = models.ForeignKey(
        "agencies.User", verbose_name=_("by"), related_name="+", on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("minutes comment")
        verbose_name_plural = _("minutes comments")
        ordering = ["minutes", "created_at", "id"]

    def __str__(self):
        return f"{self.minutes_id}: {self.author_id} {self.created_at:%Y-%m-%d %H:%M}"


class Decision(models.Model):
    """決定事項 of a representatives' meeting: text, owner agency, due date, status."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    meeting = models.ForeignKey(Meeting, related_name="decisions", on_delete=models.CASCADE)
    text = models.TextField(_("text"))
    owner_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("owner agency"),
        related_name="+",
        on_delete=models.PROTECT,
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey("agencies.User", related_name="+", on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["meeting", "id"]

    def __str__(self):
        return self.text[:40]


class DecisionChange(models.Model):
    """One change of a decision: who, when, and each changed field as `[from, to]` (dates as
    ISO strings). Never edited."""

    decision = models.ForeignKey(Decision, related_name="changes", on_delete=models.CASCADE)
    actor = models.ForeignKey(
        "agencies.User", verbose_name=_("by"), related_name="+", on_delete=models.PROTECT
    )
    at = models.DateTimeField(_("at"))
    changes = models.JSONField(_("changes"))

    class Meta:
        verbose_name = _("decision change")
        verbose_name_plural = _("decision changes")
        ordering = ["decision", "at", "id"]

    def __str__(self):
        return f"{self.decision_id}: {', '.join(self.changes)}"


class MeetingPlan(models.Model):
    """A network's target count of one kind of meeting in a fiscal year."""

    network = models.ForeignKey(
        "network.Network", related_name="meeting_plans", on_delete=models.CASCADE
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    kind = models.CharField(_("kind"), max_length=24, choices=MeetingKind.choices)
    target = models.PositiveIntegerField(_("target count"))

    class Meta:
        verbose_name = _("meeting plan")
        verbose_name_plural = _("meeting plans")
        ordering = ["network", "fiscal_year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "fiscal_year", "kind"], name="one_plan_per_kind_and_year"
            )
        ]

    def __str__(self):
        return f"{self.network_id} FY{self.fiscal_year} {self.kind}: {self.target}"


class CalendarToken(models.Model):
    """The secret of a person's calendar feed (`/api/v1/calendar/{token}.ics`). Only its
    SHA-256 digest is stored; renewing replaces it, so the old address stops working."""

    person = models.OneToOneField(
        "agencies.User", related_name="calendar_token", on_delete=models.CASCADE
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("calendar token")
        verbose_name_plural = _("calendar tokens")

    def __str__(self):
        return f"{self.person} ({self.created_at:%Y-%m-%d})"


# --- Role division (役割分担) -------------------------------------------------------------
#
# Everything written about a case here is case content: sealed under the case's own data key
# (`data_key` points at it), bound to its record and field, so purging the case destroys it
# with the narratives.


class Review(models.Model):
    """One review of a case, at a meeting or (by coordinators) outside one: assessment
    (見立て), support direction (支援方針), notes, and when to look again. Final once the
    role division is agreed; the case then goes to monitoring."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), related_name="reviews", on_delete=models.PROTECT
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        related_name="reviews",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    assessment = models.BinaryField(_("assessment (sealed)"), null=True)
    support_direction = models.BinaryField(_("support direction (sealed)"), null=True)
    notes = models.BinaryField(_("notes (sealed)"), null=True)
    next_review_on = models.DateField(_("next review on"), null=True, blank=True)
    created_by = models.ForeignKey(
        "agencies.User", verbose_name=_("by"), related_name="+", on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    finalized_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    finalized_by = models.ForeignKey(
        "agencies.User", related_name="+", on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "meeting"],
                condition=models.Q(meeting__isnull=False),
                name="one_review_per_case_and_meeting",
            ),
            # At most one review of a case is being worked on at a time.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(finalized_at__isnull=True),
                name="one_open_review_per_case",
            ),
        ]

    def __str__(self):
        return f"{self.case} {self.created_at:%Y-%m-%d}"


class RoleFunction(models.TextChoices):
    LEAD = "lead", _("Lead (主担当)")
    COORDINATION = "coordination", _("Coordination")
    OUTREACH = "outreach", _("Outreach visits")
    MEDICAL = "medical", _("Medical")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    EMPLOYMENT = "employment", _("Employment")
    EDUCATION = "education", _("Education")
    FAMILY_SUPPORT = "family_support", _("Family support")
    WELFARE_BENEFITS = "welfare_benefits", _("Welfare benefits")
    LEGAL = "legal", _("Legal")
    PLACE_TO_BELONG = "place_to_belong", _("Place to belong")
    WATCHING_OVER = "watching_over", _("Watching over")
    OTHER = "other", _("Other")


class Involvement(models.TextChoices):
    CURRENT = "current", _("Involved now (現在関与)")
    NEW = "new", _("Joining (今後連携)")


class Agreement(models.TextChoices):
    PENDING = "pending", _("Pending")
    AGREED = "agreed", _("Agreed")
    # Not the invitation's "Declined" (欠席): an agency declines a role (辞退).
    DECLINED = "declined", pgettext_lazy("role", "Declined")


class TaskStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    NOT_POSSIBLE = "not_possible", _("Not possible (circumstances changed)")
    NOT_UNDERTAKEN = "not_undertaken", _("Not undertaken")


# Task states that end the follow-up of a role.
TASK_ENDED = (TaskStatus.DONE, TaskStatus.NOT_POSSIBLE, TaskStatus.NOT_UNDERTAKEN)


class RoleAssignment(models.Model):
    """An agency's part in a review's division of roles: function, involvement, tasks
    (sealed), due date, and the agency's answer (agreed, declined with a reason, or agreed
    aloud in the meeting and recorded on its behalf by a coordinator)."""

    review = models.ForeignKey(
        Review, verbose_name=_("review"), related_name="roles", on_delete=models.CASCADE
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        related_name="case_roles",
        on_delete=models.PROTECT,
    )
    function = models.CharField(_("function"), max_length=20, choices=RoleFunction.choices)
    involvement = models.CharField(_("involvement"), max_length=10, choices=Involvement.choices)
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    tasks = models.BinaryField(_("tasks (sealed)"), null=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    agreement = models.CharField(
        _("agreement"), max_length=10, choices=Agreement.choices, default=Agreement.PENDING
    )
    agreed_by = models.ForeignKey(
        "agencies.User",
        verbose_name=_("answered by"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    agreed_on_behalf = models.BooleanField(_("agreed on behalf"), default=False)
    agreement_note = models.TextField(_("agreement note"), blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # Since when the agency has been asked (reset when a change asks it again).
    asked_at = models.DateTimeField(_("asked at"))
    # An agency without a practitioners' seat sees nothing of the case until a coordinator
    # invites it to (reset when the role goes to another agency).
    agency_invited_at = models.DateTimeField(_("agency invited at"), null=True, blank=True)
    agency_invited_by = models.ForeignKey(
        "agencies.User",
        verbose_name=_("agency invited by"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    task_status = models.CharField(
        _("task status"), max_length=16, choices=TaskStatus.choices, blank=True
    )
    created_by = models.ForeignKey(
        "agencies.User", verbose_name=_("by"), related_name="+", on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["review", "id"]
        indexes = [models.Index(fields=["agency", "agreement"])]

    def __str__(self):
        return f"{self.agency} {self.function}"


class ProgressNote(models.Model):
    """A role's progress: a note (sealed) and the task status it reports."""

    role = models.ForeignKey(
        RoleAssignment, related_name="progress_notes", on_delete=models.CASCADE
    )
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    note = models.BinaryField(_("note (sealed)"), null=True)
    task_status = models.CharField(_("task status"), max_length=16, choices=TaskStatus.choices)
    created_by = models.ForeignKey(
        "agencies.User", verbose_name=_("by"), related_name="+", on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["role", "created_at", "id"]

    def __str__(self):
        return f"{self.role_id}: {self.task_status}"


class ReviewChange(models.Model):
    """One change to a review, one of its role assignments or an answer: who, when, what
    (`action`), and from what to what (`changes`, sealed: tasks and assessments are case
    content). Never edited; kept when the assignment itself is removed."""

    class Action(models.TextChoices):
        REVIEW_CREATED = "review_created", _("Review created")
        REVIEW_CHANGED = "review_changed", _("Review changed")
        FINALIZED = "finalized", _("Finalised")
        ROLE_ADDED = "role_added", _("Role added")
        ROLE_CHANGED = "role_changed", _("Role changed")
        ROLE_REMOVED = "role_removed", _("Role removed")
        AGREED = "agreed", _("Agreed")
        DECLINED = "declined", pgettext_lazy("role", "Declined")
        PROGRESS = "progress", _("Progress recorded")
        AGENCY_INVITED = "agency_invited", _("Agency invited")

    review = models.ForeignKey(Review, related_name="changes", on_delete=models.CASCADE)
    role_id = models.PositiveIntegerField(_("role assignment"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    actor = models.ForeignKey(
        "agencies.User", verbose_name=_("by"), related_name="+", on_delete=models.PROTECT
    )
    at = models.DateTimeField(_("at"))
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    changes = models.BinaryField(_("changes (sealed)"), null=True)

    class Meta:
        verbose_name = _("review change")
        verbose_name_plural = _("review changes")
        ordering = ["review", "at", "id"]

    def __str__(self):
        return f"{self.review_id}: {self.action}"
