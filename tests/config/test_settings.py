"""Production start-up refuses to run half-configured (subprocesses with their own env)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, env_overrides: dict[str, str], tmp_path: Path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "KEYRING_", "DATABASE_URL"))
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def production(tmp_path):
    return {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x" * 60 + "-production-secret-for-the-test",
        "DJANGO_ALLOWED_HOSTS": "renkei.example.jp",
        "KEYRING_FILE": str(tmp_path / "keyring.json"),
    }


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "KEYRING_FILE"])
def test_production_refuses_to_start_without(missing, production, tmp_path):
    del production[missing]
    result = run_manage("check", env_overrides=production, tmp_path=tmp_path)
    assert result.returncode != 0
    assert f"{missing} is required when DJANGO_DEBUG is off" in result.stderr


def test_production_refuses_to_start_without_keyring_file(production, tmp_path):
    result = run_manage("check", env_overrides=production, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "conferences.E001" in result.stderr
    assert not (tmp_path / "keyring.json").exists()  # never created in production


def test_keys_init_creates_the_production_keyring_once(production, tmp_path):
    first = run_manage("keys", "init", env_overrides=production, tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    keyring = tmp_path / "keyring.json"
    assert keyring.stat().st_mode & 0o777 == 0o600
    before = keyring.read_bytes()

    second = run_manage("keys", "init", env_overrides=production, tmp_path=tmp_path)
    assert second.returncode != 0
    assert "refusing to overwrite" in second.stderr
    assert keyring.read_bytes() == before


def test_deploy_check_raises_only_the_warnings_the_readme_explains(production, tmp_path):
    assert run_manage("keys", "init", env_overrides=production, tmp_path=tmp_path).returncode == 0
    result = run_manage("check", "--deploy", env_overrides=production, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    found = set(re.findall(r"\(([a-z_]+\.[EW]\d{3})\)", result.stderr))
    assert found <= {"security.W004", "security.W008"}
    readme = (ROOT / "README.md").read_text()
    for warning in found:
        assert warning in readme


def test_https_settings_from_the_environment_silence_the_proxy_warnings(production, tmp_path):
    production |= {"DJANGO_SECURE_SSL_REDIRECT": "1", "DJANGO_SECURE_HSTS_SECONDS": "31536000"}
    assert run_manage("keys", "init", env_overrides=production, tmp_path=tmp_path).returncode == 0
    result = run_manage("check", "--deploy", env_overrides=production, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    found = set(re.findall(r"\(([a-z_]+\.[EW]\d{3})\)", result.stderr))
    assert "security.W004" not in found
    assert "security.W008" not in found


def test_debug_first_run_creates_a_local_keyring(tmp_path):
    keyring = tmp_path / "var" / "keyring.json"
    result = run_manage(
        "check",
        env_overrides={"DJANGO_DEBUG": "1", "KEYRING_FILE": str(keyring)},
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert keyring.stat().st_mode & 0o777 == 0o600


def test_malformed_boolean_is_a_configuration_error(production, tmp_path):
    production["DJANGO_DEBUG"] = "maybe"
    result = run_manage("check", env_overrides=production, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be one of" in result.stderr
