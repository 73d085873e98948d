"""The campaign editor's form: publishing rules an editor can understand."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from .letters import refuse_unknown_placeholders


class CampaignPageForm(WagtailAdminPageForm):
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
        cleaned = super().clean()
        # Drafts may be incomplete; Wagtail defers required fields only when saving a draft.
        if not self.is_deferred_validation:
            self._require_reachable_targets()
        return cleaned

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
        _refuse_unless_all(
            targets,
            lambda target: target.live,
            _(
                "These targets are not published yet, so they would receive no letters: "
                "%(targets)s. Someone who may publish targets publishes them under "
                "Snippets → Targets; or remove them from the campaign before publishing."
            ),
            "target_not_published",
        )
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


def _refuse_unless_all(targets, test, message, code):
    """Refuse publishing, naming the targets that fail `test`."""
    if failing := [str(target) for target in targets if not test(target)]:
        raise ValidationError(message, params={"targets": ", ".join(failing)}, code=code)
