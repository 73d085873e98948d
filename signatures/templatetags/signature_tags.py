from django import template
from django.conf import settings

from insights import landing, sources
from signatures import abuse

register = template.Library()


@register.inclusion_tag("signatures/form_guard.html", takes_context=True)
def form_guard(context):
    """The sign form's anti-robot and source inputs: the same for everyone, so the page can
    be cached.

    A form shown again to correct a field keeps the time it was first shown: a quick
    correction is a person's, and must not be timed as a new form. It keeps its sources too;
    a new form carries a marker that LandingMiddleware replaces with the visit's sources
    (or, behind a CDN, empty inputs that the beacon script fills).
    """
    form = context.get("form")
    page = context.get("page")
    carried = form.data.get(abuse.STARTED_FIELD, "") if form is not None else ""
    guard = {
        "honeypot": abuse.HONEYPOT_FIELD,
        "started_field": abuse.STARTED_FIELD,
        "started": carried if carried and abuse.started_at(carried) else abuse.started_token(),
    }
    if form is not None and form.is_bound:
        kept = {name: form.data.get(name, "") for name in sources.CARRIED}
        guard["sources"] = landing.hidden_inputs(
            {name: sources.clean_tag(value) for name, value in kept.items()}
        )
    elif settings.CLARION_VIEW_BEACON:
        guard["sources"] = landing.hidden_inputs(dict.fromkeys(sources.CARRIED, ""))
        guard["beacon"] = page.pk if page is not None and page.pk else None
    elif page is not None and page.pk:
        # Counted for the whole campaign, as its actions are (the source page's id), and
        # by the language of this page, as its actions are too.
        guard["sources"] = landing.marker(page.counter_source.pk, page.language)
    return guard
