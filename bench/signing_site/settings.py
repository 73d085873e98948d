"""Clarion's production settings plus the in-project reference; every service on loopback."""

from cms.settings.production import *  # noqa: F403
from cms.settings.production import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench.signing_site"]
ROOT_URLCONF = "bench.signing_site.urls"
