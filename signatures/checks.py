"""Deployment checks for what guards the signing routes."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


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
