# Clarion's image: web (gunicorn), worker and beat (Celery) all run it; see compose.yaml
# and the README's "Deployment". No secret is baked in: SECRET_KEY, DATABASE_URL and the
# rest come from the environment when a container starts.
FROM python:3.11.14-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=cms.settings.production \
    LOG_FORMAT=json \
    PROMETHEUS_MULTIPROC_DIR=/tmp/metrics

RUN groupadd --system --gid 10001 clarion \
    && useradd --system --uid 10001 --gid clarion --home-dir /app --shell /usr/sbin/nologin clarion

WORKDIR /app

# Owned by root: the app user may read its code, not change it.
COPY . .
# As the README's recipe: dependencies and the project; the code runs from /app.
RUN pip install --no-compile .
# Static files are collected at build time (the development settings need no secret);
# a proxy serves them from /app/static.
RUN DJANGO_SETTINGS_MODULE=cms.settings.dev python manage.py collectstatic --noinput \
    && mkdir -p /app/media /app/private /tmp/metrics \
    && chown clarion:clarion /app/media /app/private /tmp/metrics

USER 10001:10001
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live/', timeout=4)"]

CMD ["gunicorn", "cms.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
