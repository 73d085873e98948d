from django import template

from .. import abuse

register = template.Library()


@register.inclusion_tag("signatures/form_guard.html")
def form_guard():
    """The sign form's anti-robot inputs: the same for everyone, so the page can be cached."""
    return {
        "honeypot": abuse.HONEYPOT_FIELD,
        "started_field": abuse.STARTED_FIELD,
        "started": abuse.started_token(),
    }
