"""Signing a Django test client in as a persona would sign in to the web pages: with a
second factor, and this year's pledge signed for each of their networks (the shell sends a
person without either to set it up first: tests/web/test_shell.py tests that)."""

import pytest
from django.test import Client

from permissions.selectors import own_networks
from tests.conftest import sign_pledges, verified_login


def page_login(client: Client, user) -> Client:
    """The client, signed in as `user` (None: anonymous) with a verified session and every
    pledge of theirs signed."""
    client.logout()
    if user is None:
        return client
    for network in own_networks(user):
        sign_pledges(network, user)
    return verified_login(client, user)


@pytest.fixture
def page_as(client):
    """`page_as(user)`: the test client signed in as that person (see `page_login`)."""

    def login(user):
        return page_login(client, user)

    return login
