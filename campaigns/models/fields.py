"""A letter's field, translated line by line (issue 28, finding 4).

wagtail-localize offers a plain text field to translators as one segment, its line breaks
turned into `<br/>` tags, in an editor that takes one line (Enter saves): a letter's
paragraphs came back as one line. Here each non-empty line is a segment of plain text, and
the translation keeps the source's lines and blank lines (wagtail-localize's
get_translatable_segments / restore_translated_segments, its hooks for custom fields).
"""

from django.core.exceptions import ValidationError
from django.db import models
from wagtail_localize.segments import StringSegmentValue
from wagtail_localize.strings import StringValue

from ..letters import refuse_unknown_placeholders


def _lines(text: str) -> list[str]:
    return (text or "").replace("\r\n", "\n").split("\n")


class LetterField(models.TextField):
    def get_translatable_segments(self, value):
        return [
            StringSegmentValue(str(number), line)
            for number, line in enumerate(_lines(value))
            if line.strip()
        ]

    def restore_translated_segments(self, value, segments):
        lines = _lines(value)
        for segment in segments:
            lines[int(segment.path)] = segment.render_text()
        return "\n".join(lines)


def check_translated_letter(sender, instance, **kwargs):
    """A translation of a campaign's letter (any line of it, or its subject) with a braced
    word that is not a placeholder is saved marked as an error, with the message the
    English editor gives: the translation editor shows it on the segment when it is
    written, and wagtail-localize leaves a segment in error out of what it publishes.
    Connected to wagtail-localize's StringTranslation pre_save (campaigns.apps)."""
    from .page import CampaignPage

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
