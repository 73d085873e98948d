"""What a campaign page shows of the actions taken on it, given by the app that takes them.

Signatures builds on campaigns, so campaigns never imports it: signatures registers each
part as a Wagtail hook (signatures/wagtail_hooks.py), and the page and the content API ask
for it here, by name.
"""

from django.core.exceptions import ImproperlyConfigured
from wagtail import hooks

#: The action form's class, called with `campaign=page` (and the data, for a post).
ACTION_FORM = "clarion_campaign_action_form"
#: `(page) -> int`: the count the page shows.
ACTION_COUNT = "clarion_campaign_action_count"
#: `(page)`: the targets' published answers, and who has answered.
ANSWERS = "clarion_campaign_answers"
#: `(page)`: how the count is made up.
COUNT_BREAKDOWN = "clarion_campaign_count_breakdown"


def provided(part: str):
    """The one function or class registered for `part`."""
    found = hooks.get_hooks(part)
    if len(found) != 1:
        raise ImproperlyConfigured(f"{len(found)} apps give a campaign page {part!r}, not one.")
    return found[0]
