"""A fresh PostgreSQL database with the demo campaign, for a benchmark run."""

import os
import subprocess
import sys

from bench.servers import BASE_DIR

SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")


def fresh_database(name: str, server: str = SERVER, environment: dict | None = None) -> str:
    """Drop and create `name` on `server`, migrate it and load the demo; returns its URL.

    `environment` is the benchmark's own (its cache, above all: Wagtail keeps the sites' root
    paths there, and a stale entry from an earlier database would leave the demo without a
    URL); the set-up runs with the development settings and no broker whatever it says."""
    for sql in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"):
        subprocess.run(["psql", f"{server}/postgres", "-qc", sql], check=True)
    url = f"{server}/{name}"
    env = (
        os.environ
        | (environment or {})
        | {
            "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
            "DATABASE_URL": url,
            "CELERY_BROKER_URL": "",
            "LOG_LEVEL": "WARNING",
        }
    )
    for command in (["migrate", "--noinput", "-v0"], ["load_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=BASE_DIR,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return url


def drop_database(name: str) -> None:
    subprocess.run(
        ["psql", f"{SERVER}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
        check=False,
    )


def django_eval(env: dict, expression: str) -> str:
    """Evaluate an expression in a Django process on `env`'s database; returns its str()."""
    code = f"import django; django.setup()\nfrom campaigns.models import CampaignPage\nprint({expression})"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(result.stderr[-2000:])
    return result.stdout.strip().splitlines()[-1]
