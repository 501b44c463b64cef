"""The agency registry (関係機関) and the staff accounts tied to an agency."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from config.inputs import single_line


class Sector(models.TextChoices):
    MEDICAL = "medical", _("Medical")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    PUBLIC_HEALTH = "public_health", _("Public health")
    WELFARE = "welfare", _("Welfare")
    EDUCATION = "education", _("Education")
    EMPLOYMENT = "employment", _("Employment")
    LEGAL = "legal", _("Legal")
    POLICE = "police", _("Police")
    NPO = "npo", _("NPO")
    FAMILY_ASSOCIATION = "family_association", _("Family association")
    MUNICIPAL = "municipal", _("Municipal department")
    OTHER = "other", _("Other")


class Qualification(models.TextChoices):
    PSYCHIATRIC_SOCIAL_WORKER = "psychiatric_social_worker", _("Psychiatric social worker")
    CLINICAL_PSYCHOLOGIST = "clinical_psychologist", _("Clinical psychologist")
    CERTIFIED_PSYCHOLOGIST = "certified_psychologist", _("Certified public psychologist")
    PUBLIC_HEALTH_NURSE = "public_health_nurse", _("Public health nurse")
    NURSE = "nurse", _("Nurse")
    PHYSICIAN = "physician", _("Physician")
    SOCIAL_WORKER = "social_worker", _("Certified social worker")
    CARE_MANAGER = "care_manager", _("Care manager")
    LAWYER = "lawyer", _("Lawyer")
    TEACHER = "teacher", _("Teacher")
    SCHOOL_COUNSELOR = "school_counselor", _("School counselor")
    CAREER_CONSULTANT = "career_consultant", _("Career consultant")
    PEER_SUPPORTER = "peer_supporter", _("Peer supporter")
    OTHER = "other", _("Other")


class Agency(models.Model):
    """A partner agency. Its profile is public within the deployment: no personal data."""

    name = models.CharField(_("name"), max_length=200, unique=True, validators=[single_line])
    name_kana = models.CharField(
        _("name (kana)"), max_length=200, blank=True, validators=[single_line]
    )
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices)
    address = models.CharField(_("address"), max_length=300, blank=True, validators=[single_line])
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[single_line])
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    # 連携の希望: how the agency prefers to be approached for cooperation.
    contact_route = models.TextField(_("contact route"), blank=True)
    can_take_on = models.TextField(_("what it can take on"), blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name_kana", "name", "id"]
        permissions = [
            ("manage_agency", _("Can manage the agency and create its staff accounts")),
        ]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person using the service: usually the staff of one agency.

    Platform administrators (superusers) and auditors may have no agency.
    """

    display_name = models.CharField(_("display name"), max_length=100, validators=[single_line])
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        related_name="staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    job_title = models.CharField(
        _("job title"), max_length=100, blank=True, validators=[single_line]
    )
    qualifications = models.JSONField(_("qualifications"), default=list, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["id"]

    def __str__(self):
        return self.display_name or self.username


class UserSession(models.Model):
    """Which person a signed-in session belongs to: an index beside the session store
    (`agencies.sessions`), so that a person's sessions can be ended at once (leaving an
    agency, deactivation, a new password) without decoding every session. Holds the key
    and its expiry only, never the session's data."""

    user = models.ForeignKey(User, related_name="+", on_delete=models.CASCADE)
    session_key = models.CharField(max_length=40, unique=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self):
        return f"{self.user_id}: …{self.session_key[-4:]}"
