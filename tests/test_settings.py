import os
import subprocess
import sys

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


def test_production_passes_the_deployment_checks():
    result = _start(
        {
            "SECRET_KEY": "x" * 30 + "a-long-random-test-key-0123456789",
            "ALLOWED_HOSTS": "a.example.org",
        }
    )
    assert result.returncode == 0, result.stderr
