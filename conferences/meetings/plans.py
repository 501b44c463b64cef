"""A network's yearly meeting plan: target counts per kind of meeting and fiscal year
(DOMAIN.md "Fiscal year"), and how many of each kind have been held so far.

`meeting_plan_summary` reads (two queries whatever the number of meetings);
`meeting_plan_set` writes (one transaction), for whoever `may_set_plans` (403
`coordinator_only` otherwise, nothing written).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from agencies.models import User
from conferences.models import Meeting, MeetingKind, MeetingPlan, MeetingStatus
from config.errors import Forbidden
from network.models import Network
from permissions.rules import may_set_plans

# A yearly target beyond any real calendar (a meeting a day is 366): refused, as the
# database column would refuse anything past 2³¹−1 with an error instead of a 400.
TARGET_MAX = 999

# A meeting counts as held once it took place, minutes approved or not.
HELD_STATUSES = (MeetingStatus.HELD, MeetingStatus.CLOSED)


@dataclass(frozen=True)
class KindPlan:
    kind: str
    target: int  # 0 when no plan was set
    held: int


@dataclass(frozen=True)
class PlanSummary:
    network: Network
    fiscal_year: int
    kinds: list[KindPlan]  # every MeetingKind, in the order of its declaration


def meeting_plan_summary(network: Network, fiscal_year: int) -> PlanSummary:
    """Target and held count of every kind of meeting in the network's fiscal year. Two
    queries: the plan rows, and the held counts grouped by kind."""
    targets = dict(
        MeetingPlan.objects.filter(network=network, fiscal_year=fiscal_year).values_list(
            "kind", "target"
        )
    )
    held = dict(
        Meeting.objects.filter(network=network, fiscal_year=fiscal_year)
        .order_by()  # the model's ordering would otherwise split the groups
        .values("kind")
        .annotate(held=Count("pk", filter=Q(status__in=HELD_STATUSES)))
        .values_list("kind", "held")
    )
    return PlanSummary(
        network=network,
        fiscal_year=fiscal_year,
        kinds=[
            KindPlan(kind=kind, target=targets.get(kind, 0), held=held.get(kind, 0))
            for kind in MeetingKind.values
        ],
    )


@transaction.atomic
def meeting_plan_set(
    *, actor: User, network: Network, fiscal_year: int, targets: dict[str, int]
) -> PlanSummary:
    """Set the target counts of the kinds named in `targets` for the fiscal year (creating
    or replacing their plan rows, all or none); kinds not named keep theirs. Raises
    `Forbidden` `coordinator_only` unless the actor `may_set_plans` (platform admins may
    not), `ValidationError` (400 on `targets`) for an unknown kind or a count outside
    0..TARGET_MAX."""
    if not may_set_plans(actor, network):
        raise Forbidden("coordinator_only")
    unknown = sorted(set(targets) - set(MeetingKind.values))
    negative = sorted(kind for kind, target in targets.items() if target < 0)
    too_many = sorted(kind for kind, target in targets.items() if target > TARGET_MAX)
    if unknown or negative or too_many:
        raise ValidationError(
            {
                "targets": [
                    *(_("%(kind)s is not a kind of meeting.") % {"kind": k} for k in unknown),
                    *(_("%(kind)s: a target cannot be negative.") % {"kind": k} for k in negative),
                    *(
                        _("%(kind)s: a target is at most %(max)d.") % {"kind": k, "max": TARGET_MAX}
                        for k in too_many
                    ),
                ]
            }
        )
    MeetingPlan.objects.bulk_create(
        [
            MeetingPlan(network=network, fiscal_year=fiscal_year, kind=kind, target=target)
            for kind, target in targets.items()
        ],
        update_conflicts=True,
        unique_fields=["network", "fiscal_year", "kind"],
        update_fields=["target"],
    )
    return meeting_plan_summary(network, fiscal_year)
