"""The admin wants a second factor: enrolment with a QR code for staff who have none yet,
sign-in with a one-time code or a recovery code, and the demo's published key."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from network.management.commands import load_demo
from network.models import Network
from signin.models import RecoveryCode
from tests.factories import PASSWORD
from tests.signin.conftest import code_for, enrol

pytestmark = pytest.mark.django_db


def admin_login(browser, username, otp="", password=PASSWORD):
    return browser.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "otp": otp},
    )


def opens_admin(browser) -> bool:
    return browser.get("/admin/").status_code == 200


def test_staff_without_an_authenticator_enrol_with_a_qr_code(world, clock):
    browser = Client()
    response = admin_login(browser, "coordinator")
    assert response.status_code == 302
    assert not opens_admin(browser)  # signed in with the password only
    login_page = browser.get("/admin/login/?next=/admin/")
    assert login_page.status_code == 302
    assert login_page["Location"] == "/admin/two-factor/"
    page = browser.get("/admin/two-factor/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="/admin/two-factor/qr.svg"' in html
    secret = re.search(r'<code id="otp-secret">([A-Z2-7]+)</code>', html).group(1)
    qr = browser.get("/admin/two-factor/qr.svg")
    assert qr.status_code == 200
    assert qr["Content-Type"] == "image/svg+xml"
    assert b"<svg" in qr.content
    done = browser.post("/admin/two-factor/", {"code": code_for(secret)})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.content.decode())
    assert len(codes) == 10
    assert RecoveryCode.objects.filter(device__user=world.coordinator).count() == 10
    assert opens_admin(browser)


def test_a_wrong_enrolment_code_is_refused(world, clock):
    browser = Client()
    admin_login(browser, "coordinator")
    html = browser.get("/admin/two-factor/").content.decode()
    secret = re.search(r'<code id="otp-secret">([A-Z2-7]+)</code>', html).group(1)
    wrong = f"{(int(code_for(secret)) + 500_000) % 1_000_000:06d}"
    response = browser.post("/admin/two-factor/", {"code": wrong})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=world.coordinator, confirmed=True).exists()
    assert not opens_admin(browser)


def test_with_an_authenticator_the_admin_wants_its_code(world, clock):
    secret, _codes = enrol(world.coordinator)
    clock.shift(30)
    browser = Client()
    refused = admin_login(browser, "coordinator")
    assert refused.status_code == 200  # the form again, with the error
    assert "errornote" in refused.content.decode()
    assert not opens_admin(browser)
    assert browser.get("/admin/two-factor/").status_code == 302  # no enrolling around it
    wrong = admin_login(browser, "coordinator", otp="12345x")
    assert wrong.status_code == 200
    assert not opens_admin(browser)
    response = admin_login(browser, "coordinator", otp=code_for(secret))
    assert response.status_code == 302
    assert opens_admin(browser)


def test_a_recovery_code_opens_the_admin_once(world, clock):
    _secret, codes = enrol(world.coordinator)
    first = Client()
    assert admin_login(first, "coordinator", otp=codes[0]).status_code == 302
    assert opens_admin(first)
    clock.shift(5)
    second = Client()
    assert admin_login(second, "coordinator", otp=codes[0]).status_code == 200
    assert not opens_admin(second)


def test_an_admin_session_with_the_second_factor_reads_content_through_the_api(case_world, clock):
    world = case_world.world
    world.network.require_two_factor = True
    world.network.save()
    secret, _codes = enrol(world.coordinator)
    clock.shift(30)
    browser = Client()
    url = f"/api/v1/cases/{case_world.submitted.pk}/"
    browser.force_login(world.coordinator)
    assert browser.get(url).json()["content_refusal"] == "otp_required"
    browser = Client()
    assert admin_login(browser, "coordinator", otp=code_for(secret)).status_code == 302
    detail = browser.get(url).json()
    assert detail["content"]["summary"]


def test_a_session_without_the_second_factor_does_not_open_the_admin(world, clock):
    enrol(world.coordinator)
    browser = Client()
    browser.force_login(world.coordinator)  # signed in, but not with the second factor
    response = browser.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert browser.get("/admin/login/").status_code == 200  # sign in again, no enrolment


def test_people_without_admin_access_cannot_enrol_there(world):
    browser = Client()
    browser.force_login(world.member)
    response = browser.get("/admin/two-factor/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert not TOTPDevice.objects.filter(user=world.member).exists()


def test_the_admin_login_counts_failures(world):
    browser = Client()
    for i in range(10):
        admin_login(browser, "coordinator", password=f"guess{i}")
    response = admin_login(browser, "coordinator")
    assert response.status_code == 200
    assert not opens_admin(browser)


def test_the_demo_admin_opens_with_the_published_key_and_demo_logins_need_no_phone(api, clock):
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert load_demo.DEMO_TOTP_SECRET in out.getvalue()
    network = Network.objects.get(name=load_demo.NETWORK["name"])
    assert network.require_two_factor is False
    browser = Client()
    password = load_demo.DEMO_PASSWORD
    response = admin_login(
        browser, "demo_admin", otp=code_for(load_demo.DEMO_TOTP_SECRET), password=password
    )
    assert response.status_code == 302
    assert opens_admin(browser)
    token = api.post(
        "/api/v1/auth/token/",
        {"username": "soudan_coordinator", "password": password},
        format="json",
    )
    assert token.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    case = api.get("/api/v1/cases/?status=scheduled").json()["results"][0]
    assert api.get(f"/api/v1/cases/{case['id']}/").json()["content"] is not None


def test_load_demo_turns_the_requirement_off_on_an_older_demo_network(clock):
    call_command("load_demo", stdout=StringIO())
    Network.objects.update(require_two_factor=True)
    call_command("load_demo", stdout=StringIO())
    assert Network.objects.get(name=load_demo.NETWORK["name"]).require_two_factor is False
