"""Inline rows that a form posts again without their ids, after an autosave committed them.

Wagtail 8.0's autosave saves a draft page with its inline rows (committing them while the
page is not live) and answers with their new ids for the open form. When the browser does
not apply them (wagtail/wagtail#14568), or a second tab never had them (wagtail/wagtail#14359),
the next post sends the same rows without ids; django-modelcluster 6.5 then keeps the
committed row *and* inserts the id-less one (wagtail/django-modelcluster#211), which a unique
constraint turns into a 500 (IntegrityError), and no constraint into a silent duplicate.

The change: before the form saves, an id-less row that matches, by a unique constraint with
its parent, a committed row of the same parent that no other row of the post claims, takes
that row's id, so it is saved as an update. (An autosave still in flight needs nothing more:
the page's row, which it holds until it commits, makes a publish wait, and modelcluster then
deletes the row the publish's form never had before inserting its own.)

Applies on Wagtail 8.0 only: on any other version `tests/campaigns/test_autosave_races.py`
says whether upstream has fixed it (drop this) or not (check the code it relies on and widen
TESTED). A row is marked as stored with `instance._state.adding`, as Django's documented
model state has it.
"""

import wagtail

LIBRARY = "wagtail"
TESTED = ((8, 0),)
UPSTREAM = "wagtail/wagtail#14568, #14359; wagtail/django-modelcluster#211"


def _applies() -> bool:
    return wagtail.VERSION[:2] in TESTED


class CommittedInlineRowsFormMixin:
    """For a Wagtail admin form (a modelcluster ClusterForm) with inline formsets."""

    def save(self, commit=True):
        if _applies() and self.instance.pk is not None:
            for formset in self.formsets.values():
                _adopt_committed_rows(formset)
        return super().save(commit=commit)


def _unique_keys(formset):
    """The child model's unique field sets that include its parent, without the parent."""
    opts, parent = formset.model._meta, formset.fk.name
    field_sets = [c.fields for c in opts.total_unique_constraints] + list(opts.unique_together)
    return [
        [opts.get_field(name).attname for name in fields if name != parent]
        for fields in field_sets
        if parent in fields
    ]


def _adopt_committed_rows(formset):
    keys = _unique_keys(formset)
    if not keys:
        return
    deleted = formset.deleted_forms  # the formset is valid here: the form is saving
    new = [
        form
        for form in formset.forms
        if form.instance.pk is None and form.has_changed() and form not in deleted
    ]
    if not new:
        return
    claimed = {form.instance.pk for form in formset.forms if form.instance.pk is not None}
    unclaimed = [
        row
        for row in formset.model._base_manager.filter(**{formset.fk.name: formset.instance.pk})
        if row.pk not in claimed
    ]
    for form in new:
        row = next((row for row in unclaimed if _same_key(row, form.instance, keys)), None)
        if row is not None:
            unclaimed.remove(row)
            form.instance.pk = row.pk
            form.instance._state.adding = False


def _same_key(row, instance, keys):
    return any(
        all(getattr(row, name) == getattr(instance, name) for name in fields) for fields in keys
    )
