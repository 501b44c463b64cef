"""Networks, their two tiers, memberships, staff roles and confidentiality pledges."""

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.inputs import single_line

DEFAULT_PLEDGE_TEXT = (
    "私は、本ネットワークの会議及び本サービスを通じて知り得た事例の内容その他の秘密を、"
    "正当な理由なく他に漏らしません。会議の構成員でなくなった後も同様とします。"
)


class Tier(models.TextChoices):
    REPRESENTATIVES = "representatives", _("Representatives meeting tier")
    PRACTITIONERS = "practitioners", _("Practitioners meeting tier")


class LegalBasis(models.TextChoices):
    """What lets the network's members share what they know of a person (情報共有の根拠)."""

    CONSENT = "consent", _("The person's consent")
    SUPPORT_COUNCIL = "support_council", _("Support council (Social Welfare Act)")
    CHILD_COUNCIL = "child_council", _("Regional council for children in need of protection")
    POVERTY_COUNCIL = "poverty_council", _("Support council (Act on Self-Reliance Support)")
    OTHER = "other", _("Other")


class Network(models.Model):
    """One support network (one per municipality or council). Nothing crosses networks.

    `require_two_factor` (on unless turned off) shows case content only to sign-ins made
    with a second factor (`permissions.rules.second_factor_satisfied`).
    """

    name = models.CharField(_("name"), max_length=200, validators=[single_line])
    municipality = models.CharField(_("municipality"), max_length=100, validators=[single_line])
    secretariat_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("secretariat agency"),
        related_name="secretariat_of",
        on_delete=models.PROTECT,
    )
    content_window_days = models.PositiveSmallIntegerField(
        _("content window (days after a meeting)"),
        default=14,
        validators=[MaxValueValidator(365)],
    )
    suppression_threshold = models.PositiveSmallIntegerField(
        _("suppression threshold for aggregates"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    retention_years = models.PositiveSmallIntegerField(
        _("retention (years)"), default=5, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    pledge_text = models.TextField(_("confidentiality pledge text"), default=DEFAULT_PLEDGE_TEXT)
    pledge_text_version = models.PositiveIntegerField(
        _("pledge text version"), default=1, editable=False
    )
    require_two_factor = models.BooleanField(
        _("require a second factor for case content"),
        default=True,
        help_text=_(
            "Case content is shown only to people who signed in with a one-time code "
            "from their authenticator app (or a recovery code)."
        ),
    )
    legal_basis = models.CharField(
        _("legal basis for sharing information"),
        max_length=20,
        choices=LegalBasis.choices,
        default=LegalBasis.CONSENT,
    )
    legal_basis_note = models.TextField(_("note on the legal basis"), blank=True, max_length=2000)
    review_interval_months = models.PositiveSmallIntegerField(
        _("review interval (months)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        ordering = ["id"]
        permissions = [
            ("coordinate_network", _("Can coordinate the network")),
            ("audit_network", _("Can audit the network's access log")),
        ]

    def __str__(self):
        return self.name


class MembershipQuerySet(models.QuerySet):
    def current(self, on: date):
        """Memberships whose term covers the given day."""
        return self.filter(Q(starts_on__lte=on) & (Q(ends_on__isnull=True) | Q(ends_on__gte=on)))


class Membership(models.Model):
    """An agency's seat in one tier of one network, with its designated people and term."""

    network = models.ForeignKey(
        Network, verbose_name=_("network"), related_name="memberships", on_delete=models.CASCADE
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        related_name="memberships",
        on_delete=models.PROTECT,
    )
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices)
    designated_people = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("designated people"),
        related_name="designations",
        blank=True,
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["network", "tier", "agency__name_kana", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="membership_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.agency} / {self.get_tier_display()}"

    def is_current(self, on: date) -> bool:
        return self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)


class StaffRole(models.Model):
    """A person's role in running a network: coordinator (事務局) or auditor."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        AUDITOR = "auditor", _("Auditor")

    network = models.ForeignKey(
        Network, verbose_name=_("network"), related_name="staff_roles", on_delete=models.CASCADE
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        related_name="staff_roles",
        on_delete=models.CASCADE,
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        ordering = ["network", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["network", "user", "role"], name="one_role_per_person")
        ]

    def __str__(self):
        return f"{self.user} / {self.get_role_display()}"


class ConfidentialityPledge(models.Model):
    """守秘義務誓約: signed per person, network and fiscal year.

    Without a pledge for the current fiscal year nobody reads case content.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        related_name="pledges",
        on_delete=models.CASCADE,
    )
    network = models.ForeignKey(
        Network, verbose_name=_("network"), related_name="pledges", on_delete=models.CASCADE
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    text_version = models.PositiveIntegerField(_("text version"))
    signed_at = models.DateTimeField(_("signed at"))

    class Meta:
        verbose_name = _("confidentiality pledge")
        verbose_name_plural = _("confidentiality pledges")
        ordering = ["-fiscal_year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "network", "fiscal_year"], name="one_pledge_per_year"
            )
        ]

    def __str__(self):
        return f"{self.person} / {self.network} / {self.fiscal_year}"
