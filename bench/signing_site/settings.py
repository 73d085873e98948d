"""The product's settings plus the baselines; every service on loopback."""

from cms.settings.base import *  # noqa: F403
from cms.settings.base import BASE_DIR, CACHES, INSTALLED_APPS, TEMPLATES, env

SECRET_KEY = env("SECRET_KEY", default="bench-signing-only-not-a-secret")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [*INSTALLED_APPS, "wagtail.contrib.forms", "bench.signing_site"]
ROOT_URLCONF = "bench.signing_site.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "signing_site" / "templates"]
CACHES["default"]["KEY_PREFIX"] = "bench-signing"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
