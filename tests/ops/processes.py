"""Settings are read once per process: tests of what the environment selects start one."""

import os
import subprocess
import sys

from django.conf import settings


def run_django(code: str, **environment) -> subprocess.CompletedProcess:
    """Run `code` in a new Python process with the dev settings (or the DJANGO_SETTINGS_MODULE
    given) and `environment` added."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env |= {"DJANGO_SETTINGS_MODULE": "cms.settings.dev", **environment}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
