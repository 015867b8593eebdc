import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.env import env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "SECRET_KEY": "x7#kq2!vT9zLm4pR8sW1yB6nC3dF0gH5jK_uE2wQ9rT6yU1iO4pA7sD0fG3hJ6kL",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "portal.example.com",
    "DATABASE_URL": "postgres://portal:portal@db.example.com:5432/portal",
    "REDIS_URL": "redis://redis.example.com:6379/0",
    "EMAIL_HOST": "smtp.example.com",
}


def manage(*args, env: dict[str, str]):
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "DJANGO_", "DATABASE_", "REDIS_"))
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_env_helpers_read_typed_values(monkeypatch):
    monkeypatch.setenv("FLAG", "yes")
    monkeypatch.setenv("COUNT", "42")
    monkeypatch.setenv("HOSTS", "a.example, b.example,")
    assert env_bool("FLAG") is True
    assert env_int("COUNT", 1) == 42
    assert env_list("HOSTS") == ["a.example", "b.example"]
    assert env_str("MISSING_BUT_DEFAULTED", "fallback") == "fallback"


@pytest.mark.parametrize(("name", "value", "reader"), [("FLAG", "maybe", env_bool), ("COUNT", "4O", env_int)])
def test_env_helpers_fail_loudly_on_a_bad_value(monkeypatch, name, value, reader):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        reader(name, 1) if reader is env_int else reader(name)


def test_a_required_setting_names_itself_when_missing(monkeypatch):
    monkeypatch.delenv("NOT_THERE", raising=False)
    with pytest.raises(ImproperlyConfigured, match="NOT_THERE"):
        env_str("NOT_THERE")


def test_the_deploy_check_is_clean_with_production_values():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_server_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_the_deploy_check_warns_when_the_staff_second_factor_is_relaxed():
    env = {**PRODUCTION_ENV, "PORTAL_QUICKSTART": "1", "STAFF_MFA_REQUIRED": "false", "DEBUG": "false"}
    result = manage("check", "--deploy", env=env)
    assert "portal.W001" in result.stdout + result.stderr
