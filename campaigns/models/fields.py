"""A letter's field, translated line by line (issue 28, finding 4).

wagtail-localize offers a plain text field to translators as one segment, its line breaks
turned into `<br/>` tags, in an editor that takes one line (Enter saves): a letter's
paragraphs came back as one line. Here each non-empty line is a segment of plain text, and
the translation keeps the source's lines and blank lines (wagtail-localize's
get_translatable_segments / restore_translated_segments, its hooks for custom fields).
"""

from django.db import models
from wagtail_localize.segments import StringSegmentValue


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
