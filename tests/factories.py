"""factory_boy factories for domain objects. Writes with rules go through the services."""

from datetime import date

import factory

from agencies.models import Agency, Sector, User
from network import services as network_services
from network.models import Membership, Network, StaffRole, Tier

PASSWORD = "correct-horse-battery-staple"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"関係機関{n}")
    name_kana = factory.Sequence(lambda n: f"かんけいきかん{n}")
    sector = Sector.WELFARE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"職員{n}")
    agency = factory.SubFactory(AgencyFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class NetworkFactory(factory.django.DjangoModelFactory):
    """A network. Unlike the model's default (on), it does not require a second factor:
    most tests sign in with `force_authenticate`, which proves no second factor, and test
    other rules. The second factor's own tests (tests/signin/) use
    `NetworkFactory(require_two_factor=True)` or turn it on, and check the default."""

    class Meta:
        model = Network

    require_two_factor = False
    name = factory.Sequence(lambda n: f"ひきこもり支援ネットワーク{n}")
    municipality = "明石市"
    secretariat_agency = factory.SubFactory(AgencyFactory, sector=Sector.MUNICIPAL)


def seat(
    network: Network,
    agency: Agency,
    tier: str = Tier.PRACTITIONERS,
    *,
    people=(),
    starts_on: date = date(2020, 4, 1),
    ends_on: date | None = None,
) -> Membership:
    """Give an agency a membership (through the service, so its rules hold)."""
    return network_services.membership_create(
        network=network,
        agency=agency,
        tier=tier,
        starts_on=starts_on,
        ends_on=ends_on,
        designated_people=list(people),
    )


def give_role(network: Network, user: User, role: str = StaffRole.Role.COORDINATOR) -> StaffRole:
    return network_services.staff_role_add(network=network, user=user, role=role)[0]
