"""Retention purge, and the admin showing only ciphertext."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client

from conferences.cases import services
from conferences.models import Case, CaseStatus, CaseTransition
from tests.conftest import CLEAN_CASE, verified_login

pytestmark = pytest.mark.django_db


def close(case, actor):
    return services.case_close(actor=actor, case=case)


def test_purge_expired_destroys_content_past_retention_only(case_world, time_machine):
    world = case_world.world
    time_machine.move_to("2020-06-01 10:00 +0900")
    old = close(case_world.submitted, world.coordinator)
    time_machine.move_to("2024-06-01 10:00 +0900")
    recent = services.case_submit(actor=world.member, case=case_world.draft)
    recent = close(recent, world.coordinator)
    time_machine.move_to("2025-06-01 10:00 +0900")  # five years after the first closing

    purged = services.cases_purge_expired()

    assert [case.pk for case in purged] == [old.pk]
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.purged_at is not None and old.summary is None
    assert old.data_key.wrapped_key is None
    assert old.age_band == CLEAN_CASE["age_band"] and old.code  # facts stay
    assert recent.purged_at is None and recent.summary is not None
    purge_row = CaseTransition.objects.filter(case=old).order_by("id").last()
    assert purge_row.actor is None and purge_row.reason == "retention expired"


def test_purge_expired_follows_each_networks_retention(case_world, time_machine):
    world = case_world.world
    world.network.retention_years = 1
    world.network.save()
    time_machine.move_to("2024-06-01 10:00 +0900")
    close(case_world.submitted, world.coordinator)
    time_machine.move_to("2025-05-31 10:00 +0900")
    assert services.cases_purge_expired() == []
    time_machine.move_to("2025-06-01 10:00 +0900")
    assert len(services.cases_purge_expired()) == 1


def test_purge_expired_command_reports_and_is_idempotent(case_world, time_machine, capsys):
    time_machine.move_to("2019-04-10 10:00 +0900")
    close(case_world.submitted, case_world.world.coordinator)
    time_machine.shift(timedelta(days=365 * 6))
    call_command("cases", "purge_expired")
    assert "1 case(s) purged." in capsys.readouterr().out
    call_command("cases", "purge_expired")
    assert "0 case(s) purged." in capsys.readouterr().out


def test_admin_shows_case_facts_and_ciphertext_never_the_narrative(case_world):
    browser = Client()
    verified_login(browser, case_world.world.admin)  # the admin wants a second factor
    case = case_world.submitted
    page = browser.get(f"/admin/conferences/case/{case.pk}/change/").content.decode()
    assert case.code in page
    assert "sealed" in page
    for field in ("summary", "history", "current_support", "difficulties", "questions"):
        assert CLEAN_CASE[field] not in page


def test_coordinator_admin_lists_submitted_cases_of_their_network_not_drafts(case_world):
    browser = Client()
    verified_login(browser, case_world.world.coordinator)  # the admin wants a second factor
    response = browser.get("/admin/conferences/case/")
    assert response.status_code == 200
    assert set(response.context["cl"].queryset) == {case_world.submitted}


def test_access_log_cannot_be_deleted_in_the_admin(case_world, api_as):
    api_as(case_world.world.member).get(f"/api/v1/cases/{case_world.submitted.pk}/")
    browser = Client()
    verified_login(browser, case_world.world.admin)  # the admin wants a second factor
    from permissions.models import AccessRecord

    record = AccessRecord.objects.get()
    response = browser.post(f"/admin/permissions/accessrecord/{record.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AccessRecord.objects.filter(pk=record.pk).exists()


def test_status_survives_the_purge(case_world):
    world = case_world.world
    case = close(case_world.submitted, world.coordinator)
    services.case_purge(actor=world.coordinator, case=case)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED
