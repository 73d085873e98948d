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
