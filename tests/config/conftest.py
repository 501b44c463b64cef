"""Fixtures of the configuration tests: the role-division world for the schema test."""

from tests.conferences.role_fixtures import roles_world  # noqa: F401
