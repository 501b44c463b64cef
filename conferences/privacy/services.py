"""The network's side of the de-identification screening: which terms it allows, which it
forbids (as keyed hashes only), and the screening of a case's texts with them.

`conferences.privacy.deidentify` knows Japanese text; this module knows the database.
"""

import hashlib
import hmac

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import Agency, User
from conferences.models import ScreeningTerm
from conferences.privacy import deidentify, encryption
from config.errors import Forbidden
from network.models import Network
from permissions import rules


def term_hasher(network: Network):
    """The keyed hash of terms for one network: HMAC-SHA256 of the normalised term under a
    key derived for this network from the keyring's hash key. Equal terms hash equally
    within a network; the stored hashes reveal nothing without the keyring, nor link
    networks to each other. The key is derived once per hasher (screening hashes every
    token of a text)."""
    key = encryption.derived_key(f"forbidden-terms:{network.pk}")

    def hash_term(term: str) -> str:
        normalised = deidentify.normalise_term(term).encode()
        return hmac.new(key, normalised, hashlib.sha256).hexdigest()

    return hash_term


def term_hash(network: Network, term: str) -> str:
    return term_hasher(network)(term)


def screening_context(network: Network) -> deidentify.ScreeningContext:
    """The municipality, registered agency names and the network's allowed and forbidden
    terms, as the screening needs them. Three queries."""
    terms = list(
        ScreeningTerm.objects.filter(network=network).values_list("kind", "term", "term_hash")
    )
    allowed = frozenset(
        deidentify.normalise_term(term)
        for kind, term, _h in terms
        if kind == ScreeningTerm.Kind.ALLOWED
    )
    forbidden = frozenset(h for kind, _t, h in terms if kind == ScreeningTerm.Kind.FORBIDDEN)
    return deidentify.ScreeningContext(
        municipality=network.municipality,
        allowed_terms=allowed,
        # Only the names of active agencies seated in (or running) this network are never
        # flagged: a name registered elsewhere must not switch detection off here.
        known_names=frozenset(
            Agency.objects.filter(active=True)
            .filter(Q(memberships__network=network) | Q(secretariat_of=network))
            .values_list("name", flat=True)
        ),
        forbidden_hashes=forbidden,
        hash_term=term_hasher(network),
    )


def case_screen(
    *, network: Network, fields: dict[str, str], actor: User | None = None
) -> list[deidentify.Finding]:
    """Findings of personal data in the given texts, per the network's rules. For a person
    (the dry run: the findings tell which terms the network forbids), 403
    `not_a_submitting_agency` unless they may screen texts there; `actor=None` is a service
    screening what it was given (a submission, already checked)."""
    if actor is not None and not rules.may_screen_texts(actor, network):
        raise Forbidden("not_a_submitting_agency")
    return deidentify.screen(fields, screening_context(network))


def finding_as_dict(finding: deidentify.Finding) -> dict:
    return {
        "field": finding.field,
        "start": finding.start,
        "end": finding.end,
        "category": finding.category,
        "excerpt": finding.excerpt,
    }


@transaction.atomic
def screening_term_add(
    *, network: Network, kind: str, term: str, category: str, reason: str, actor: User
) -> tuple[ScreeningTerm, bool]:
    """Record an allowed term (a finding a coordinator accepted as a false positive, with
    the reason) or a forbidden term (kept only as its keyed hash). Adding the same term
    again returns the existing entry. 403 `permission_denied` unless the actor manages the
    network's screening terms."""
    if not rules.may_manage_screening_terms(actor, network):
        raise Forbidden("permission_denied")
    normalised = deidentify.normalise_term(term)
    if not normalised:
        raise ValidationError({"term": [_("The term is empty.")]})
    if kind == ScreeningTerm.Kind.ALLOWED and not reason.strip():
        raise ValidationError({"reason": [_("Say why this is not personal data.")]})
    if category and category not in deidentify.CATEGORIES:
        raise ValidationError({"category": [_("Unknown category.")]})
    digest = term_hash(network, term)
    existing = ScreeningTerm.objects.filter(network=network, kind=kind, term_hash=digest).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            entry = ScreeningTerm.objects.create(
                network=network,
                kind=kind,
                term=term if kind == ScreeningTerm.Kind.ALLOWED else "",
                term_hash=digest,
                category=category,
                reason=reason,
                created_by=actor,
            )
    except IntegrityError:  # added by someone else a moment ago
        return ScreeningTerm.objects.get(network=network, kind=kind, term_hash=digest), False
    return entry, True


# What people read for each category of finding (the web pages' findings list).
CATEGORY_LABELS = {
    "person_name": gettext_lazy("Person name"),
    "place_name": gettext_lazy("Place name"),
    "address": gettext_lazy("Address"),
    "phone": gettext_lazy("Phone number"),
    "email": gettext_lazy("E-mail address"),
    "postal_code": gettext_lazy("Postal code"),
    "my_number": gettext_lazy("My Number"),
    "birth_date": gettext_lazy("Date of birth"),
    "url": gettext_lazy("URL"),
    "forbidden_term": gettext_lazy("Forbidden term"),
    deidentify.HIDDEN_CHARACTER: gettext_lazy("Hidden character"),
}


def category_label(category: str):
    """The category of a finding in words (translated), the code itself if unknown."""
    return CATEGORY_LABELS.get(category, category)
