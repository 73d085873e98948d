"""Targets in the admin: the snippet's screens, and a chooser in which an editor can also
create a target without leaving the campaign.

A target created from the chooser is a draft, like any new or changed target: letters reach
it only once someone who may publish targets publishes it (see models.targets.Target).
"""

from django import forms
from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import UpdatedAtColumn
from wagtail.log_actions import log
from wagtail.snippets.views.chooser import SnippetChooserViewSet, SnippetCreateView
from wagtail.snippets.views.snippets import CopyView, CreateView, SnippetViewSet

from cms.base.vendor.wagtail_autosave_clicks import LateClashAnsweredMixin

from .models import Target

DRAFT_NOTE = _(
    "A target created here is a draft: the campaign shows it, but letters reach it only "
    "once someone who may publish targets publishes it under Snippets → Targets."
)


class TargetCreationForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = ["salutation", "name", "email", "country"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Said where the editor types where letters go.
        self.fields["email"].help_text = format_lazy(
            "{} {}", self.fields["email"].help_text, DRAFT_NOTE
        )


class DraftTargetCreateView(SnippetCreateView):
    """Saves the new target as a draft with its first revision, logged as the snippet's own
    create screen logs it."""

    def save_form(self, form):
        with transaction.atomic():
            target = form.save(commit=False)
            target.live = False
            target.has_unpublished_changes = True
            target.save()
            revision = target.save_revision(user=self.request.user)
            log(
                instance=target,
                action="wagtail.create",
                user=self.request.user,
                revision=revision,
                content_changed=True,
            )
        return target

    def get_display_title(self, instance):
        return _("%(target)s (draft: not yet published)") % {"target": instance}


class TargetChooserViewSet(SnippetChooserViewSet):
    create_view_class = DraftTargetCreateView
    creation_form_class = TargetCreationForm
    creation_tab_label = _("New target")
    create_action_label = _("Save as a draft")

    def get_object_list(self):
        # A campaign's own targets only: a directory's representatives are found for each
        # supporter from their postal code, never picked for everyone.
        return Target.objects.filter(directory__isnull=True)


#: Who may put a target into a directory (models.targets: the panel asks the same).
PUBLISH_TARGET = "campaigns.publish_target"


class TargetCopyView(CopyView):
    """A copy of a representative, made by someone who may not put targets into a
    directory, is a campaign's own target: the form has no directory field for them, so
    the copy would otherwise keep the original's."""

    def get_initial_form_instance(self):
        instance = super().get_initial_form_instance()
        if not self.request.user.has_perm(PUBLISH_TARGET):
            instance.directory = None
        return instance


class TargetCreateView(LateClashAnsweredMixin, CreateView):
    """A click on the add form while its autosave creates the same representative: the
    form's message, not a 500 (issue 35)."""


class TargetViewSet(SnippetViewSet):
    model = Target
    add_view_class = TargetCreateView
    chooser_viewset_class = TargetChooserViewSet
    copy_view_class = TargetCopyView
    # Representatives are targets too (models.directories): listed with their directory,
    # and edited, drafted and published like any target.
    list_display = ["__str__", "district", "directory", UpdatedAtColumn()]
    list_filter = ["directory", "live"]
