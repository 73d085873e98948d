"""Settings shared by every environment. All configuration comes from the environment."""

from pathlib import Path

import environ
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from wagtail.embeds.oembed_providers import vimeo, youtube

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["localhost", "127.0.0.1", "[::1]"]),
)
environ.Env.read_env(BASE_DIR / ".env")  # optional; real environment variables win

DEBUG = env("DEBUG")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "cms",
    "campaigns",
    "signatures",
    "insights",
    "reporting",
    "wagtail_modeladmin",
    "wagtail_headless_preview",
    "wagtail.api.v3",
    "corsheaders",
    "wagtail_localize",
    "wagtail_localize.locales",  # wagtail.locales' screens, with wagtail-localize's sync
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_countries",
    "phonenumber_field",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",  # a partner's page must read a 503's Retry-After
    # Before any work: a request that waited too long for a worker is answered 503 at once.
    "cms.load_shedding.LoadSheddingMiddleware",
    "cms.middleware.DatabaseUnavailableMiddleware",
    "cms.middleware.QueryGuardMiddleware",
    "cms.middleware.ApiAddressMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cms.middleware.LanguageMiddleware",  # Django's LocaleMiddleware, 404s left alone
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Outside the page cache: counts each view and gives its form the visit's sources.
    "insights.landing.LandingMiddleware",
    "signatures.caching.page_cache.CampaignPageCacheMiddleware",
]

# The admin's messages ride in the session it already has: Django's default storage
# would also build a cookie signer on every request, the visitors' and actions' too.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "cms.context_processors.third_party_scripts",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://clarion")}
# On Redis: Django's backend, reusing one client per pool (see cms/base/redis_clients.py).
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "cms.base.redis_clients.RedisCache"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The languages campaigns may be written in (each campaign picks one, and its page, form
# and emails to supporters follow it): codes with a translation under locale/, or English.
LANGUAGE_CODE = env("LANGUAGE_CODE", default="en")
LANGUAGES = [
    (code, LANG_INFO[code]["name"])
    for code in env.list("LANGUAGES", default=["en", "fr", "es", "ar"])
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# A campaign is one page tree translated into several of these languages (Wagtail's locales,
# translated segment by segment with wagtail-localize): each translation's page, form and
# emails speak its locale's language, and all of them share one counter (signatures.counter).
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# "Translate this page" makes a draft, whatever the source's status: nothing goes live
# untranslated or unapproved (issue 28). It is published as any page is, or submitted for
# moderation from the translation editor (campaigns.translation_admin).
WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE = False
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "static")
STATIC_URL = "/static/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Email: EMAIL_URL such as smtp://user:pass@host:587 or smtp+tls://...; console by default.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# Seconds a mail server may keep a worker waiting for an answer: without a limit, one that
# stops answering holds the worker, and its letters, for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=60)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Clarion <campaigns@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: without a broker, tasks run in-process, so the zero-set-up default needs nothing
# running besides Django. They run in one background thread once the response is complete
# (signatures/services/after_response.py): never inside the request.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CLARION_FOLLOW_UP_THREAD = True
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT = "cms.base.redis_clients:Transport"  # kombu's, reusing its client
elif not CELERY_BROKER_URL:
    # In-process, Celery still takes a producer for each task it runs: an in-memory one,
    # not kombu's default AMQP connection to a host nobody named ("No hostname was supplied").
    CELERY_BROKER_WRITE_URL = "memory://localhost/"
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing tries the broker once, briefly: a request must not wait (kombu's default
# retries for about 6 seconds) while the broker is away; the outbox sweeper catches up.
# Workers reconnect on their own terms (broker_connection_max_retries), not these.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 0, "socket_connect_timeout": 2}
CELERY_TIMEZONE = TIME_ZONE

WAGTAIL_SITE_NAME = "Clarion"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "txt", "xlsx"]
# Story videos come from YouTube and Vimeo only: Wagtail would embed every oEmbed provider,
# some of which (tweets, posts) bring their scripts onto the page (campaigns/video.py).
WAGTAILEMBEDS_FINDERS = [{"class": "wagtail.embeds.finders.oembed", "providers": [youtube, vimeo]}]
# The admin contacts no outside host unless told to: Wagtail's update check calls
# releases.wagtail.org from the dashboard, and Gravatar avatars are keyed by a hash of each
# user's email, telling gravatar.com who uses this admin. "true" or "lts" switches the check
# on; a provider URL (e.g. //www.gravatar.com/avatar) the avatars.
_update_check = env.str("WAGTAIL_ENABLE_UPDATE_CHECK", default="false").lower()
WAGTAIL_ENABLE_UPDATE_CHECK = (
    "lts" if _update_check == "lts" else _update_check in env.BOOLEAN_TRUE_STRINGS
)
WAGTAIL_GRAVATAR_PROVIDER_URL = env.str("WAGTAIL_GRAVATAR_PROVIDER_URL", default="") or None

# Data protection: supporters' personal data is anonymised this many months after their
# campaign closes. Exports of the moderation list are kept privately, for their owner only.
CLARION_RETENTION_MONTHS = env.int("RETENTION_MONTHS", default=24)
CLARION_EXPORT_SYNC_LIMIT = env.int("EXPORT_SYNC_LIMIT", default=20_000)
CLARION_EXPORT_HOURS = env.int("EXPORT_HOURS", default=24)
STORAGES["exports"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": env.path("PRIVATE_ROOT", default=BASE_DIR / "private")},
}

# Headless delivery (/api/): the origins whose pages may call the API from a browser, e.g.
# partners' sites embedding the form. Cookies are never sent: the API does not use sessions.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = False
CORS_PREFLIGHT_MAX_AGE = 3600
# What partners' pages need (read campaigns, post actions as JSON), and no more: Wagtail's
# write API under /api/ takes tokens, which no partner's page may send.
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS", "POST"]
CORS_ALLOW_HEADERS = ["accept", "accept-language", "content-type"]
CORS_EXPOSE_HEADERS = ["Retry-After"]  # a partner's page must know when to try again (429)
# An external front end that renders previews of drafts; unset: Wagtail's own preview.
HEADLESS_PREVIEW_URL = env("HEADLESS_PREVIEW_URL", default="")
if HEADLESS_PREVIEW_URL:
    WAGTAIL_HEADLESS_PREVIEW = {"CLIENT_URLS": {"default": HEADLESS_PREVIEW_URL}}
# Webhooks to the CRM: the first retry after this many seconds, doubling each time.
CLARION_WEBHOOK_RETRY_SECONDS = env.int("WEBHOOK_RETRY_SECONDS", default=30)
# Endpoints must be https and public (signatures/safe_http.py). For local testing only:
# plain http, and networks exempted from the public-address rule (e.g. 127.0.0.1/32, or a
# CRM on the organisation's own network), off in every settings module.
CLARION_WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=False)
CLARION_WEBHOOK_ALLOWED_NETWORKS = env.list("WEBHOOK_ALLOWED_NETWORKS", default=[])

# Taking action (signatures app). Rate limit: "actions/seconds" per connection, 0/… = none.
CLARION_RATE_LIMIT = env("CLARION_RATE_LIMIT", default="5/300")
# Views counted from the beacon (signatures/views.py `view`) per connection, likewise.
CLARION_BEACON_RATE_LIMIT = env("CLARION_BEACON_RATE_LIMIT", default="30/300")
# Proxies in front of the site that append to X-Forwarded-For (0: use REMOTE_ADDR).
CLARION_TRUSTED_PROXIES = env.int("CLARION_TRUSTED_PROXIES", default=0)
# The HTML form is refused if sent sooner than this after it was rendered (0: no check).
CLARION_MIN_FILL_SECONDS = env.int("CLARION_MIN_FILL_SECONDS", default=3)
# Emails per minute to one target, unless the target sets its own (0: no limit).
CLARION_TARGET_MAX_PER_MINUTE = env.int("CLARION_TARGET_MAX_PER_MINUTE", default=30)
# Campaign pages served from the cache for this long (0: off); proxies may keep them for
# CLARION_PAGE_SHARED_MAX_AGE, which bounds how stale their counter can be.
CLARION_PAGE_CACHE_SECONDS = env.int("CLARION_PAGE_CACHE_SECONDS", default=60)
CLARION_PAGE_SHARED_MAX_AGE = env.int("CLARION_PAGE_SHARED_MAX_AGE", default=1)
# Each process keeps the published campaign pages it serves, routed and with what they show
# besides the count, until anything is published (signatures.caching.published_pages; false: off).
CLARION_PUBLISHED_PAGES = env.bool("CLARION_PUBLISHED_PAGES", default=True)
# Each process keeps the live campaigns it takes actions on for this long (0: off).
# Finding supporters' representatives (campaigns/representatives.py): the imported table,
# or "campaigns.represent.RepresentLookup" for Open North's Represent API.
CLARION_REPRESENTATIVE_LOOKUP = env.str(
    "CLARION_REPRESENTATIVE_LOOKUP", default="campaigns.representatives.TableLookup"
)
CLARION_REPRESENT_URL = env.str("CLARION_REPRESENT_URL", default="https://represent.opennorth.ca")
CLARION_REPRESENT_TIMEOUT = env.float("CLARION_REPRESENT_TIMEOUT", default=3.0)
CLARION_REPRESENT_CACHE_SECONDS = env.int("CLARION_REPRESENT_CACHE_SECONDS", default=24 * 3600)
# Lookups of a postal code through the API, per connection ("lookups/seconds", 0/…: none);
# the HTML form's lookup is part of an action, counted by CLARION_RATE_LIMIT.
CLARION_LOOKUP_RATE_LIMIT = env("CLARION_LOOKUP_RATE_LIMIT", default="30/300")
# A target's answer page (signatures/reply_views.py): requests per connection, GET or POST,
# and answers sent per link ("requests/seconds", 0/…: none); then 429.
CLARION_ANSWER_RATE_LIMIT = env("CLARION_ANSWER_RATE_LIMIT", default="30/600")
CLARION_ANSWER_LINK_RATE_LIMIT = env("CLARION_ANSWER_LINK_RATE_LIMIT", default="10/3600")
# A provider failing this often ("failures/seconds") is left alone for that many seconds
# (campaigns/lookup_guard.py; 0/…: never).
CLARION_LOOKUP_BREAKER = env("CLARION_LOOKUP_BREAKER", default="5/60")
# Calls to Represent by all processes together ("calls/seconds", at most that many in any
# such window; 0/…: no budget): its free plan answers 60 a minute. Past it, the imported
# table answers, or the action's letter waits (campaigns/lookup_guard.py).
CLARION_REPRESENT_BUDGET = env("CLARION_REPRESENT_BUDGET", default="60/60")
CLARION_CAMPAIGN_CACHE_SECONDS = env.int("CLARION_CAMPAIGN_CACHE_SECONDS", default=2)
# Surge mode (cms/base/surge.py): receipts and webhooks wait, the counter is recounted less often.
# Also a switch for administrators in the admin (Settings → Surge mode).
CLARION_SURGE_MODE = env.bool("CLARION_SURGE_MODE", default=False)
# Load shedding (cms/load_shedding.py): a request that waited this long (ms) for a gunicorn
# worker is answered 503 with Retry-After (seconds) at once; reads before writes; 0: never.
CLARION_SHED_VIEWS_AFTER_MS = env.int("CLARION_SHED_VIEWS_AFTER_MS", default=250)
CLARION_SHED_ACTIONS_AFTER_MS = env.int("CLARION_SHED_ACTIONS_AFTER_MS", default=2000)
CLARION_SHED_RETRY_AFTER = env.int("CLARION_SHED_RETRY_AFTER", default=10)

# Logs never carry supporters' data: only ids and states are logged by our code.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},  # Wagtail's own background tasks are chatty
    },
}

# Operations (deliverability, health, metrics, logs, CDN) ------------------------------
# Kept together: each part reads its own environment variables and nothing else here.

# Email through a provider's API (anymail) instead of SMTP: EMAIL_PROVIDER names one of
# anymail's backends (amazon_ses, mailgun, postmark, sendgrid, brevo, ...). Its settings
# come from ANYMAIL_* variables, e.g. ANYMAIL_POSTMARK_SERVER_TOKEN, and the tracking
# webhook's basic-auth credentials from ANYMAIL_WEBHOOK_SECRET ("user:password").
INSTALLED_APPS += ["anymail", "django_prometheus"]
EMAIL_PROVIDER = env("EMAIL_PROVIDER", default="")
if EMAIL_PROVIDER:
    EMAIL_BACKEND = f"anymail.backends.{EMAIL_PROVIDER}.EmailBackend"
# A mailbox that bounced gets no supporters' emails for this many days (a complaint: until a
# signature moderator lifts it, in Signatures > Suppressed addresses).
CLARION_BOUNCE_SUPPRESSION_DAYS = env.int("CLARION_BOUNCE_SUPPRESSION_DAYS", default=90)
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in env.ENVIRON.items()
    if name.startswith("ANYMAIL_")
}

# Readiness (/health/): the oldest letter or action waiting for a worker may wait this long,
# and beat's heartbeat (a task it schedules every 30 seconds) be this old.
CLARION_OUTBOX_MAX_AGE = env.int("CLARION_OUTBOX_MAX_AGE", default=600)
CLARION_HEARTBEAT_MAX_AGE = env.int("CLARION_HEARTBEAT_MAX_AGE", default=180)

# Metrics (/metrics): with a token, only requests bearing it are served; without one, only
# requests from this machine that no proxy forwarded.
CLARION_METRICS_TOKEN = env("CLARION_METRICS_TOKEN", default="")
# Requests counted and timed by Clarion's lean middleware (django-prometheus's names for
# the three figures watched; its own two middlewares cost 0.3 ms a request).
MIDDLEWARE = [
    "cms.base.request_metrics.RequestMetricsMiddleware",
    "cms.request_logs.RequestIdMiddleware",
    *MIDDLEWARE,
]
# Behind PgBouncer in transaction mode a server-side cursor cannot outlive its transaction:
# set DISABLE_SERVER_SIDE_CURSORS=true there (README, "Scaling out").
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
    "DISABLE_SERVER_SIDE_CURSORS", default=False
)
# Queries counted and timed: on PostgreSQL by Clarion's lean wrapper of Django's backend
# (cms/base/database), elsewhere by django-prometheus's wrapper of the same backend.
DATABASES["default"]["ENGINE"] = (
    "cms.base.database.postgresql"
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    else DATABASES["default"]["ENGINE"].replace(
        "django.db.backends.", "django_prometheus.db.backends.", 1
    )
)

# A CDN or caching proxy in front (wagtail.contrib.frontend_cache), purged when a campaign's
# pages change: FRONTEND_CACHE names the backend, FRONTEND_CACHE_* its parameters, e.g.
# FRONTEND_CACHE_LOCATION (varnish), FRONTEND_CACHE_BEARER_TOKEN and _ZONEID (cloudflare),
# FRONTEND_CACHE_DISTRIBUTION_ID (cloudfront), FRONTEND_CACHE_HOSTNAMES (comma-separated).
FRONTEND_CACHE_BACKENDS = {
    "varnish": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
    "http": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
    "cloudflare": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
    "cloudfront": "wagtail.contrib.frontend_cache.backends.CloudfrontBackend",
    "azure_cdn": "wagtail.contrib.frontend_cache.backends.AzureCdnBackend",
    "azure_front_door": "wagtail.contrib.frontend_cache.backends.AzureFrontDoorBackend",
}
FRONTEND_CACHE = env("FRONTEND_CACHE", default="")
if FRONTEND_CACHE:
    if FRONTEND_CACHE not in FRONTEND_CACHE_BACKENDS:
        raise ImproperlyConfigured(
            f"FRONTEND_CACHE must be one of {', '.join(FRONTEND_CACHE_BACKENDS)}, "
            f"not {FRONTEND_CACHE!r}."
        )
    WAGTAILFRONTENDCACHE = {
        "default": {"BACKEND": FRONTEND_CACHE_BACKENDS[FRONTEND_CACHE]}
        | {
            name.removeprefix("FRONTEND_CACHE_"): value.split(",")
            if name.endswith("HOSTNAMES")
            else value
            for name, value in env.ENVIRON.items()
            if name.startswith("FRONTEND_CACHE_")
        }
    }

# With a CDN that keeps campaign pages, the server no longer sees every view: a small script
# counts each view and fills the form's sources (on by default with FRONTEND_CACHE).
CLARION_VIEW_BEACON = env.bool("CLARION_VIEW_BEACON", default=bool(FRONTEND_CACHE))

# Logs: LOG_FORMAT=json writes one JSON object a line, each with the request's id.
LOGGING["formatters"] = {
    "json": {"()": "cms.request_logs.JsonFormatter"},
    "text": {"format": "%(levelname)s %(name)s [%(request_id)s] %(message)s"},
}
LOGGING["filters"] = {"request_id": {"()": "cms.request_logs.RequestIdFilter"}}
LOG_FORMAT = env("LOG_FORMAT", default="text")
if LOG_FORMAT not in LOGGING["formatters"]:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}.")
LOGGING["handlers"]["console"] |= {"formatter": LOG_FORMAT, "filters": ["request_id"]}
# Workers log through the same handler (Celery would otherwise install its own).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
