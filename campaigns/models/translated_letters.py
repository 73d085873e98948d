"""A letter's placeholders are checked in every language, as a translator writes each line
in wagtail-localize's editor (issue 28, finding 5); CampaignPage.clean checks them again
on any save, publishing included."""

from django.core.exceptions import ValidationError
from wagtail_localize.strings import StringValue

from ..letters import refuse_unknown_placeholders
from .page import CampaignPage


def check_translated_letter(sender, instance, **kwargs):
    """A translation of a campaign's letter (any line of it, or its subject) with a braced
    word that is not a placeholder is saved marked as an error, with the message the
    English editor gives: the translation editor shows it on the segment when it is
    written, and wagtail-localize leaves a segment in error out of what it publishes.
    Connected to wagtail-localize's StringTranslation pre_save (campaigns.apps)."""
    context = instance.context
    if context is None or context.path.split(".")[0] not in CampaignPage.LETTER_FIELDS:
        return
    if not CampaignPage.objects.filter(translation_key=context.object_id).exists():
        return
    try:
        refuse_unknown_placeholders(StringValue(instance.data).render_text())
    except ValidationError as error:
        instance.has_error = True
        instance.field_error = " ".join(error.messages)
