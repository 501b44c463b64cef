"""Fixtures of the conferences tests."""

from tests.conferences.role_fixtures import roles_world  # noqa: F401
