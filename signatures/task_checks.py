"""System checks: the task names services enqueue by, and what guards the signing routes."""

from celery import current_app
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from . import task_names


@register()
def task_names_are_registered(app_configs, **kwargs):
    """Every name in task_names.py is a registered Celery task.

    Services enqueue by name, so a misspelt or removed task would otherwise only show as
    work that never starts (and, in-process, as an error after every commit).
    """
    registered = current_app.tasks
    return [
        Error(
            f"{name!r} is not the name of a registered Celery task.",
            hint="Give the task in signatures/tasks.py this name, or correct task_names.py.",
            obj=task_names.__name__,
            id="signatures.E001",
        )
        for name in task_names.ALL
        if name not in registered
    ]


@register(Tags.security, deploy=True)
def rate_limit_sees_supporters(app_configs, **kwargs):
    """Behind a proxy, the rate limit must read the supporter's address from X-Forwarded-For.

    Otherwise every action seems to come from the proxy: all supporters share one quota,
    and every signature records the proxy's address.
    """
    if settings.SECURE_PROXY_SSL_HEADER and not settings.CLARION_TRUSTED_PROXIES:
        return [
            Warning(
                "SECURE_PROXY_SSL_HEADER trusts a proxy, but CLARION_TRUSTED_PROXIES is 0: "
                "the rate limit would count every supporter as the proxy.",
                hint="Set CLARION_TRUSTED_PROXIES to the number of proxies in front of the "
                "site (usually 1).",
                id="signatures.W001",
            )
        ]
    return []
