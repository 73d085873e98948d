"""An editor's click racing the same form's autosave, in Wagtail 8.0's page editor.

Wagtail 8.0's autosave (wagtail/wagtail#14568's) posts the open form while the editor goes on
working; a Publish, Submit or Save draft click can reach the server while an autosave of the
same form is in flight. Two outcomes of that race were wrong, beside the inline rows
(wagtail_inline_rows.py); neither is reported upstream:

- On the add form, when the click and the autosave both passed the form's slug check before
  either created the page, the second one's `add_child` (under the parent's lock, after the
  first committed) runs `Page.full_clean` again, whose ValidationError (the slug is taken, by
  the draft the autosave just made) leaves Wagtail's CreateView as a 500 (the same late
  check as wagtail/wagtail#4030 and #8627 for moves and copies). `CreateView` here validates
  the form again, now against that page (the campaign form names the editor's own draft and
  where to publish it), and answers as for any invalid form. It is the campaign page's
  `add_view_class` (a PageViewSet, Wagtail's public seam; campaigns/wagtail_hooks.py),
  made once the models are loaded (the page form, which imports this module, is not).
- On the edit form of a draft, an autosave that read the page before a Publish committed
  saves the whole page row afterwards (EditView.save_action's `form.save(commit=not
  page.live)`, with the `live` it read): the page just published is unpublished again, and
  the editor was told it was published. `PublishedSinceLoadedFormMixin` locks the page's row
  before such a save and, when the page is live by then, saves a draft revision only, as
  Wagtail does for a live page.

Applies on Wagtail 8.0 only: on any other version `tests/campaigns/test_autosave_races.py`
says whether upstream has fixed it (drop this) or not (check CreateView.form_valid and
EditView.save_action, and widen TESTED).
"""

from functools import cache

import wagtail
from django.core.exceptions import ValidationError
from django.db import transaction

LIBRARY = "wagtail"
TESTED = ((8, 0),)
UPSTREAM = (
    "wagtail/wagtail#14568's autosave racing a click (not reported upstream); "
    "#4030 / #8627 (Page.full_clean's late slug check as a 500)"
)

#: What a publish changes on the page's row, which a draft's save must not undo.
PUBLISHED_FIELDS = (
    "live",
    "live_revision_id",
    "first_published_at",
    "last_published_at",
    "has_unpublished_changes",
)


def _applies() -> bool:
    return wagtail.VERSION[:2] in TESTED


@cache
def create_view():
    """Wagtail's page add view, answering the race above with the form."""
    from wagtail.admin.views.pages.create import CreateView as WagtailCreateView

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

    return CreateView


class PublishedSinceLoadedFormMixin:
    """For a Wagtail page form: a draft's save (commit=True) after the page went live."""

    def save(self, commit=True):
        if not (_applies() and commit and self.instance.pk is not None and not self.instance.live):
            return super().save(commit=commit)
        with transaction.atomic():
            now = (
                type(self.instance)
                .objects.select_for_update()
                .filter(pk=self.instance.pk)
                .values(*PUBLISHED_FIELDS)
                .first()
            )
            if now is None or not now["live"]:
                return super().save(commit=True)
            for name, value in now.items():
                setattr(self.instance, name, value)
            return super().save(commit=False)  # the view saves the revision, as for a live page
