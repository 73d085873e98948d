from django import template

from .. import abuse

register = template.Library()


@register.inclusion_tag("signatures/form_guard.html", takes_context=True)
def form_guard(context):
    """The sign form's anti-robot inputs: the same for everyone, so the page can be cached.

    A form shown again to correct a field keeps the time it was first shown: a quick
    correction is a person's, and must not be timed as a new form.
    """
    form = context.get("form")
    carried = form.data.get(abuse.STARTED_FIELD, "") if form is not None else ""
    return {
        "honeypot": abuse.HONEYPOT_FIELD,
        "started_field": abuse.STARTED_FIELD,
        "started": carried if carried and abuse.started_at(carried) else abuse.started_token(),
    }
