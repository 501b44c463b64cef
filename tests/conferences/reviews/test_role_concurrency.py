"""Two agencies agreeing while a coordinator finalises: whatever the interleaving, a final
review never holds a pending assignment (PostgreSQL, real threads and row locks)."""

import threading

import pytest
from django.db import connection

from conferences.models import Agreement, CaseStatus, Review
from conferences.reviews import services as review_services
from config.errors import Conflict
from tests.conferences.role_fixtures import add_role


def _at_once(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[index] = "ok"
        except Conflict as error:
            outcomes[index] = error.code
        except Exception as error:  # noqa: BLE001  (reported by the assertion below)
            outcomes[index] = repr(error)
        finally:
            connection.close()  # each thread opened a connection of its own

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a call hung"
    return outcomes


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(5))
def test_a_final_review_never_holds_a_pending_assignment(roles_world, round_):
    lead = add_role(roles_world, roles_world.world.member.agency)
    family = add_role(roles_world, roles_world.third.agency, function="family_support")
    outcomes = _at_once(
        lambda: review_services.role_agree(actor=roles_world.world.member, role=lead),
        lambda: review_services.role_agree(actor=roles_world.third, role=family),
        lambda: review_services.review_finalize(
            actor=roles_world.world.coordinator, review=roles_world.review
        ),
    )
    assert outcomes[:2] == ["ok", "ok"]
    assert outcomes[2] in ("ok", "review_incomplete")
    review = Review.objects.get(pk=roles_world.review.pk)
    agreements = set(review.roles.values_list("agreement", flat=True))
    if review.finalized_at is not None:
        assert agreements == {Agreement.AGREED}
        assert review.case.status == CaseStatus.MONITORING
    else:
        assert outcomes[2] == "review_incomplete"
        review_services.review_finalize(actor=roles_world.world.coordinator, review=review)
        assert Review.objects.get(pk=review.pk).finalized_at is not None
