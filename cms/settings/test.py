from .base import *  # noqa: F403
from .base import env

SECRET_KEY = "clarion-tests-only"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://clarion-tests")}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "exports": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
# Tasks run in-process in tests; integration tests switch to the real broker and worker.
CELERY_TASK_ALWAYS_EAGER = True
# ... on the request's thread once its response is complete, so a test sees the emails of
# the request it made; the tests of the background thread switch it on.
CLARION_FOLLOW_UP_THREAD = False
# Tests post forms instantly and check pages right after changing them; the tests of the
# minimum fill time and of the caches switch these on.
CLARION_MIN_FILL_SECONDS = 0
CLARION_PAGE_CACHE_SECONDS = 0
CLARION_CAMPAIGN_CACHE_SECONDS = 0
# SQLite tests run in memory, as Django makes them; said outright because pytest-django
# recognises SQLite by Django's engine name, not the metrics wrapper's, and would otherwise
# give each xdist worker a database file named after the path ("test_/…/db.sqlite3_gw0").
if DATABASES["default"]["ENGINE"].endswith(".sqlite3"):  # noqa: F405
    DATABASES["default"].setdefault("TEST", {})["NAME"] = ":memory:"  # noqa: F405
