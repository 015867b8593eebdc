import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

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
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PORTAL_", "DJANGO_", "DATABASE_", "REDIS_"))
        and k not in {"PORT", "SITE_URL", "LOG_LEVEL"}
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


# Quick start and payment secrets: `check --deploy` refuses what must never face the public -------


def deploy_errors(**overrides) -> set[str]:
    with override_settings(**overrides):
        return {
            message.id
            for message in run_checks(include_deployment_checks=True, tags=["security"])
            if message.is_serious()
        }


# What a server's settings look like: no quick start, a real key, Stripe configured.
SERVER = {
    "QUICKSTART": False,
    "DEBUG": False,
    "ALLOWED_HOSTS": ["portal.example.com"],
    "SECRET_KEY": PRODUCTION_ENV["SECRET_KEY"],
    "PAYMENTS_SIMULATED": False,
    "STRIPE_SECRET_KEY": "sk_live_configured",
    "STRIPE_WEBHOOK_SECRET": "whsec_from_stripes_dashboard",
}
# The developer's machine: quick start, DEBUG on, localhost only.
LAPTOP = {
    **SERVER,
    "QUICKSTART": True,
    "DEBUG": True,
    "ALLOWED_HOSTS": ["localhost", "127.0.0.1", "[::1]"],
    "PAYMENTS_SIMULATED": True,
    "STRIPE_SECRET_KEY": "",
    "STRIPE_WEBHOOK_SECRET": "",
}
PORTAL_ERRORS = {"portal.E001", "portal.E002", "portal.E003", "portal.E004", "portal.E005", "portal.E006"}


def test_the_deploy_check_finds_no_portal_error_on_a_server_or_on_a_developers_machine():
    assert not deploy_errors(**SERVER) & PORTAL_ERRORS
    assert not deploy_errors(**LAPTOP) & PORTAL_ERRORS


def test_the_deploy_check_refuses_the_quick_start_with_debug_off():
    assert "portal.E001" in deploy_errors(**{**LAPTOP, "DEBUG": False})


@pytest.mark.parametrize("host", ["portal.example.com", "*", "192.168.1.20", ".example.com"])
def test_the_deploy_check_refuses_the_quick_start_answering_to_a_public_host(host):
    assert "portal.E002" in deploy_errors(**{**LAPTOP, "ALLOWED_HOSTS": ["localhost", host]})


@pytest.mark.parametrize(
    "key",
    [settings.QUICKSTART_SECRET_KEY, "change-me-to-a-long-random-string"],
    ids=["quickstart", "example"],
)
def test_the_deploy_check_refuses_a_published_secret_key(key):
    assert "portal.E003" in deploy_errors(**{**SERVER, "SECRET_KEY": key})


def test_the_deploy_check_refuses_stripe_without_its_webhook_secret():
    assert "portal.E004" in deploy_errors(**{**SERVER, "STRIPE_WEBHOOK_SECRET": ""})


def test_the_deploy_check_refuses_a_simulated_secret_given_as_stripes():
    derived = "whsec_simulated_" + "0" * 32  # the shape the old secret derived from SECRET_KEY had
    assert "portal.E005" in deploy_errors(**{**SERVER, "STRIPE_WEBHOOK_SECRET": derived})


def test_the_deploy_check_refuses_the_simulated_checkout_outside_the_quick_start():
    assert "portal.E006" in deploy_errors(**{**SERVER, "PAYMENTS_SIMULATED": True, "STRIPE_SECRET_KEY": ""})


def test_the_deploy_check_fails_a_server_started_with_the_quick_start_by_mistake():
    # The production values, but the quick start left on and the secret key forgotten.
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"} | {"PORTAL_QUICKSTART": "1"}
    result = manage("check", "--deploy", env=env)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    for error in ("portal.E001", "portal.E002", "portal.E003"):
        assert error in output


def test_outside_the_quick_start_payments_are_never_simulated():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.PAYMENTS_SIMULATED)",
        env=PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


# The quick start: its links follow the port it serves on, its console stays readable ------------


def setting_in(name: str, env: dict[str, str]) -> str:
    result = manage("shell", "-c", f"from django.conf import settings; print(settings.{name})", env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_the_quick_start_links_point_at_the_port_it_serves_on(tmp_path):
    quickstart = {"PORTAL_QUICKSTART": "1", "PORTAL_VAR_DIR": str(tmp_path)}

    assert setting_in("SITE_URL", quickstart) == "http://127.0.0.1:8000"
    assert setting_in("SITE_URL", quickstart | {"PORT": "8123"}) == "http://127.0.0.1:8123"
    assert setting_in("SITE_URL", quickstart | {"PORT": "8123", "SITE_URL": "http://demo.example/"}) == (
        "http://demo.example"
    )
    # A server's PORT (set by some hosts for the application server) says nothing about its address.
    assert setting_in("SITE_URL", PRODUCTION_ENV | {"PORT": "8123"}) == "http://127.0.0.1:8000"


def test_make_run_hands_its_port_to_every_command_it_runs():
    result = subprocess.run(
        ["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    commands = [
        line for line in result.stdout.splitlines() if "manage.py" in line and "compilemessages" not in line
    ]

    assert [command.split("manage.py ")[1].split()[0] for command in commands] == [
        "migrate",
        "seed_demo",
        "runserver",
    ]
    assert all("PORT=8123" in command for command in commands)
    assert commands[-1].endswith("runserver 127.0.0.1:8123")


LOG_LINES = """
import logging
logging.getLogger("weasyprint").info("noise: weasyprint step")
logging.getLogger("weasyprint.progress").info("noise: weasyprint progress")
logging.getLogger("fontTools.subset").info("noise: fontTools subset")
logging.getLogger("celery.app.trace").info("noise: celery task succeeded")
logging.getLogger("kombu.connection").warning("noise: no hostname was supplied")
logging.getLogger("weasyprint").error("kept: weasyprint error")
logging.getLogger("django.server").info("kept: GET / 200")
logging.getLogger("portal").info("kept: portal info")
"""


def test_the_quick_start_console_shows_the_server_lines_without_pdf_and_task_chatter(tmp_path):
    result = manage("shell", "-c", LOG_LINES, env={"PORTAL_QUICKSTART": "1", "PORTAL_VAR_DIR": str(tmp_path)})
    output = result.stdout + result.stderr

    assert result.returncode == 0, output
    assert "noise" not in output
    assert "kept: weasyprint error" in output
    assert "kept: GET / 200" in output
    assert "kept: portal info" in output


def test_log_level_brings_the_chatter_back_when_asked(tmp_path):
    env = {"PORTAL_QUICKSTART": "1", "PORTAL_VAR_DIR": str(tmp_path), "LOG_LEVEL": "DEBUG"}
    result = manage("shell", "-c", LOG_LINES, env=env)
    output = result.stdout + result.stderr

    assert "noise: weasyprint step" in output
    assert "noise: celery task succeeded" in output
