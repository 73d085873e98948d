"""A click on a page's add form while that form's own autosave is creating the page.

Wagtail 8.0's autosave on the add form creates the draft page; a Publish, Submit or Save
draft click that left the same form before the autosave's answer (wagtail/wagtail#14568's
autosave racing the editor) posts to the add view as well. When both passed the form's slug
check before either created its page, the second one's `add_child` (under the parent's lock,
after the first committed) runs `Page.full_clean` again, whose ValidationError (the slug is
taken, by the draft the autosave just made) leaves Wagtail's CreateView as a 500 rather than
as the form's message. (The same late check is upstream's subject in wagtail/wagtail#4030
and #8627 for moves and copies; this race on the add view is not reported upstream.)

The change: the add view's CreateView, when its action raises ValidationError before it
created anything, validates the form again, now against the page the other request created
(the campaign form then names the editor's own draft and where to publish it), and answers
as for any invalid form. Registered for campaign pages through Wagtail's public seam, a
PageViewSet's `add_view_class` (campaigns/wagtail_hooks.py).

Applies on Wagtail 8.0 only: on any other version `tests/campaigns/test_autosave_races.py`
says whether upstream has fixed it (drop this) or not (check CreateView.form_valid and widen
TESTED).
"""

import wagtail
from django.core.exceptions import ValidationError
from wagtail.admin.views.pages.create import CreateView as WagtailCreateView

LIBRARY = "wagtail"
TESTED = ((8, 0),)
UPSTREAM = (
    "wagtail/wagtail#14568 (autosave racing a click on the add form), #4030 / #8627 "
    "(Page.full_clean's late slug check as a 500)"
)


def _applies() -> bool:
    return wagtail.VERSION[:2] in TESTED


class CreateView(WagtailCreateView):
    def form_valid(self, form):
        if not _applies():
            return super().form_valid(form)
        try:
            return super().form_valid(form)
        except ValidationError:
            if form.instance.pk is not None:
                raise  # the page was created: not the race, and no form to go back to
            form.full_clean()  # again, now that the other request's page is there
            if form.is_valid():
                raise
            form.restore_required_fields()
            return self.form_invalid(form)
