"""An editor's click racing the same form's autosave, in Wagtail 8.0's page editor.

Wagtail 8.0's autosave (wagtail/wagtail#14568's) posts the open form while the editor goes on
working; a Publish, Submit or Save draft click can reach the server while an autosave of the
same form is in flight. Two outcomes of that race were wrong, beside the inline rows
(wagtail_inline_rows.py); neither is reported upstream:

- On the add form, when the click and the autosave both passed the form's slug check before
  either created the page, the second one's `add_child` (under the parent's lock, after the
  first committed) runs `Page.full_clean` again, whose ValidationError (the slug is taken, by
  the draft the autosave just made) leaves Wagtail's CreateView as a 500 (the same late
  check as wagtail/wagtail#4030 and #8627 for moves and copies). A snippet's add form
  (a representative target, under its unique constraint) meets the same race as an
  IntegrityError. `LateClashAnsweredMixin` validates the form again, now against that object
  (the campaign form names the editor's own draft and where to publish it; the target form
  says the directory has that representative), and answers as for any invalid form. It is
  mixed into the campaign page's and the target's `add_view_class` (a PageViewSet's and a
  SnippetViewSet's, Wagtail's public seams; campaigns/wagtail_hooks.py, target_admin.py).
- On the edit form of a draft, an autosave that read the page before a Publish committed
  saves the whole page row afterwards (EditView.save_action's `form.save(commit=not
  page.live)`, with the `live` it read): the page just published is unpublished again, and
  the editor was told it was published. `PublishedSinceLoadedFormMixin` locks the page's row
  before such a save and, when the page is live by then, saves a draft revision only, as
  Wagtail does for a live page.

Applies on Wagtail 8.0 only: on any other version `tests/campaigns/test_autosave_races.py`
says whether upstream has fixed it (drop this) or not (check the CreateViews' form_valid and
EditView.save_action, and widen TESTED).
"""

import wagtail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

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


class LateClashAnsweredMixin:
    """For Wagtail's page and snippet add views (CreateView): a clash that only the saving
    finds, because a concurrent post created the object after this form was validated, is
    the form's message."""

    def form_valid(self, form):
        if not _applies():
            return super().form_valid(form)
        try:
            return super().form_valid(form)
        except (ValidationError, IntegrityError):
            if form.instance.pk is not None:
                raise  # the object was created: not the race, and no form to go back to
            form.full_clean()  # again, now that the other request's object is there
            # A snippet's view validates through its own is_valid (which words the message).
            if self.is_valid(form) if hasattr(self, "is_valid") else form.is_valid():
                raise
            if hasattr(form, "restore_required_fields"):  # the page form's
                form.restore_required_fields()
            return self.form_invalid(form)


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
