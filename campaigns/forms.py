"""The campaign editor's form: publishing rules an editor can understand."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from cms.base.vendor.wagtail_autosave_clicks import PublishedSinceLoadedFormMixin
from cms.base.vendor.wagtail_inline_rows import CommittedInlineRowsFormMixin

from .letters import refuse_unknown_placeholders

#: Who may publish a target (models.targets.Target), and with it approve a campaign's new ones.
PUBLISH_TARGET = "campaigns.publish_target"


class CampaignPageForm(
    CommittedInlineRowsFormMixin, PublishedSinceLoadedFormMixin, WagtailAdminPageForm
):
    def clean_message_subject(self):
        return self._known_placeholders_only("message_subject")

    def clean_message_body(self):
        return self._known_placeholders_only("message_body")

    def clean_counter_goal(self):
        goal = self.cleaned_data["counter_goal"]
        if goal == 0:
            raise ValidationError(
                _("A goal of 0 is always reached. Leave the goal empty for an automatic one."),
                code="zero_goal",
            )
        return goal

    def _known_placeholders_only(self, name):
        text = self.cleaned_data[name]
        refuse_unknown_placeholders(text)
        return text

    def clean(self):
        slug = self.cleaned_data.get("slug")
        cleaned = super().clean()
        if slug and "slug" not in self.cleaned_data:
            self._point_to_own_draft(slug)
        # Drafts may be incomplete; Wagtail defers required fields only when saving a draft.
        if not self.is_deferred_validation:
            self._require_reachable_targets()
        return cleaned

    def _point_to_own_draft(self, slug):
        """On the add form, a slug taken by the editor's own unpublished draft: most likely
        the draft autosave made of this very form, when Publish was clicked before the
        form had moved to the draft's editor (issue 35). Say so, and where the draft is."""
        if self.instance.pk is not None or self.parent_page is None:
            return
        draft = (
            self.parent_page.get_children()
            .filter(slug=slug, live=False, first_published_at=None, owner=self.for_user)
            .first()
        )
        if draft is None:
            return
        self.errors["slug"] = self.error_class(
            [
                _(
                    "You already have an unpublished draft with this slug here, "
                    "“%(title)s”, which autosave may have saved from this form. Publish it "
                    "from its own editor, %(url)s, or choose another slug."
                )
                % {
                    "title": draft.title,
                    "url": reverse("wagtailadmin_pages:edit", args=[draft.pk]),
                }
            ]
        )

    def _require_reachable_targets(self):
        formset = self.formsets.get("campaign_targets")
        if formset is None or not formset.is_valid():
            return  # the formset shows its own errors
        targets = [
            form.cleaned_data["target"]
            for form in formset.forms
            if form.cleaned_data.get("target") and not form.cleaned_data.get("DELETE")
        ]
        if not targets and self.cleaned_data.get("targeting") == "representative":
            return  # each supporter's representatives are found at the time
        if not targets:
            raise ValidationError(
                _(
                    "Add at least one target in the Action tab before publishing: "
                    "every action is emailed to the campaign's targets."
                ),
                code="no_target",
            )
        if self._publishes_without_approving_targets():
            self._refuse_draft_targets(formset)
        _refuse_unless_all(
            targets,
            lambda target: target.email,
            _(
                "These targets have no email address yet, so actions could not reach "
                "them: %(targets)s. Add their address under Snippets → Targets, or remove "
                "them from the campaign, before publishing."
            ),
            "target_without_email",
        )

    def _publishes_without_approving_targets(self) -> bool:
        """Whether this post would put the page live while its new (draft) targets stay
        drafts: a submission for moderation takes them along (the moderator approves both,
        signatures.services.target_approval), and so does a publisher who may publish targets."""
        # The edit form's buttons, as Wagtail's page edit view reads them.
        publishing = self.data.get("action-publish") or (
            self.data.get("action-workflow-action")
            and self.data.get("workflow-action-name") == "approve"
        )
        return bool(publishing) and not (self.for_user and self.for_user.has_perm(PUBLISH_TARGET))

    def _refuse_draft_targets(self, formset):
        """Each draft target's line in the Action tab says why, so the tab shows the error."""
        drafts = [
            form
            for form in formset.forms
            if (target := form.cleaned_data.get("target"))
            and not form.cleaned_data.get("DELETE")
            and not target.live
        ]
        for form in drafts:
            form.add_error(
                "target",
                ValidationError(
                    _(
                        "These targets are not published yet, so they would receive no "
                        "letters: %(targets)s. Submit the campaign for moderation instead: "
                        "the moderator who approves it publishes its new targets with it. Or "
                        "remove them from the campaign."
                    ),
                    params={"targets": ", ".join(str(f.cleaned_data["target"]) for f in drafts)},
                    code="target_not_published",
                ),
            )


def _refuse_unless_all(targets, test, message, code):
    """Refuse publishing, naming the targets that fail `test`."""
    if failing := [str(target) for target in targets if not test(target)]:
        raise ValidationError(message, params={"targets": ", ".join(failing)}, code=code)
