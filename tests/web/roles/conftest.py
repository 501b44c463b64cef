"""Fixtures of the role pages' tests: the role-division world (tests/conferences)."""

from tests.conferences.role_fixtures import roles_world  # noqa: F401
