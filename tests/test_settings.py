import os
import subprocess
import sys

import pytest
from django.conf import settings


def _start(env_changes):
    # A fresh process with the production settings: nothing this test run set leaks in
    # (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE, which --deploy rightly flags).
    leaked = {"SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in leaked} | env_changes
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env | {"DJANGO_SETTINGS_MODULE": "cms.settings.production"},
        capture_output=True,
        text=True,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _start({"ALLOWED_HOSTS": "campaigns.example.org"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


PRODUCTION = {
    "SECRET_KEY": "x" * 30 + "a-long-random-test-key-0123456789",
    "ALLOWED_HOSTS": "a.example.org",
    "CLARION_TRUSTED_PROXIES": "1",  # the README's TLS proxy
}


def test_production_passes_the_deployment_checks():
    result = _start(PRODUCTION)
    assert result.returncode == 0, result.stderr


def test_behind_a_proxy_the_rate_limit_must_be_told_of_it():
    result = _start(PRODUCTION | {"CLARION_TRUSTED_PROXIES": "0"})
    assert result.returncode != 0
    assert "signatures.W001" in result.stderr
    assert "count every supporter as the proxy" in result.stderr


def test_a_wsgi_worker_loads_its_urls_up_front_and_keeps_them_out_of_full_collections():
    script = (
        "import gc, sys\nimport cms.wsgi\nprint(gc.get_freeze_count(), 'cms.urls' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=os.environ | {"DJANGO_SETTINGS_MODULE": "cms.settings.test"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    frozen, urls_loaded = result.stdout.split()
    assert int(frozen) > 100_000  # Django, Wagtail and the apps: hundreds of thousands
    assert urls_loaded == "True"


def _run_unconfigured(command, **env_changes):
    """`command` as an operator would start it with no settings module chosen."""
    unset = {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in unset} | env_changes
    return subprocess.run(
        [sys.executable, *command],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


SERVERS_AND_WORKERS = {
    "gunicorn": [
        "-c",
        "import cms.wsgi\nfrom django.conf import settings\n"
        "print(f'SETTINGS_MODULE: {settings.SETTINGS_MODULE!r}\\nDEBUG: {settings.DEBUG}')",
    ],
    "celery": ["-m", "celery", "-A", "cms", "report"],
}


@pytest.mark.parametrize("process", SERVERS_AND_WORKERS)
def test_servers_and_workers_never_start_on_development_settings_by_default(process):
    # Development settings would run with DEBUG on and a public SECRET_KEY (forgeable
    # confirmation tokens): without a key of its own, the process must refuse to start.
    refused = _run_unconfigured(SERVERS_AND_WORKERS[process])
    assert refused.returncode != 0, refused.stdout[-2000:]
    assert "SECRET_KEY" in refused.stderr

    started = _run_unconfigured(SERVERS_AND_WORKERS[process], **PRODUCTION)
    assert started.returncode == 0, started.stderr[-3000:]
    assert "SETTINGS_MODULE: 'cms.settings.production'" in started.stdout
    assert "DEBUG: False" in started.stdout


def test_manage_py_still_runs_the_development_site_by_default():
    # `make run` is manage.py migrate/runserver with nothing set: it keeps working.
    result = _run_unconfigured(
        ["manage.py", "shell", "-c", "from django.conf import settings; print(settings.DEBUG)"],
        DATABASE_URL="sqlite://:memory:",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines()[-1] == "True"


def test_without_a_broker_a_task_runs_in_process_without_kombu_warning_of_a_hostname():
    # `make run`: no broker, tasks run in-process; Celery still takes a producer for each,
    # which must not be an AMQP connection to a host nobody named.
    result = _run_unconfigured(
        [
            "manage.py",
            "shell",
            "-c",
            "import logging; logging.basicConfig(level=logging.WARNING)\n"
            "from cms.celery import app\n"
            "def noop():\n    return 'ran'\n"
            "noop = app.task(name='clarion.tests.noop')(noop)\n"
            "print(noop.apply_async(retry=False).get())",
        ],
        DATABASE_URL="sqlite://:memory:",
        CELERY_BROKER_URL="",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines()[-1] == "ran"
    assert "No hostname was supplied" not in result.stderr + result.stdout
    assert "kombu" not in result.stderr


def test_make_run_installs_the_site_s_dependencies_and_make_test_the_test_tools_too():
    """`make run` serves the site: it needs none of the test tools `make test` installs."""
    dry_run = {
        target: subprocess.run(
            ["make", "--dry-run", "--always-make", target],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        for target in ("run", "test")
    }
    # Only printed (--dry-run): nothing is installed.
    assert 'pip install --quiet -e "."' in dry_run["run"]
    assert ".[test]" not in dry_run["run"]
    assert ".[test]" in dry_run["test"]


def test_make_run_serves_at_the_address_named_with_addr_as_the_readme_says():
    """`make run ADDR=host:port` serves there, and the demo's links and emails point there."""
    readme = (settings.BASE_DIR / "README.md").read_text()
    assert "make run ADDR=127.0.0.1:8080" in readme

    printed = subprocess.run(
        ["make", "--dry-run", "--always-make", "run", "ADDR=127.0.0.1:8080"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert "load_demo --address 127.0.0.1:8080" in printed
    assert "runserver 127.0.0.1:8080" in printed
    assert "8000" not in printed  # the default is not served as well
