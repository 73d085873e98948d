"""The letter one action sends: the campaign's or the supporter's, with their details filled in.

Only the named placeholders are replaced (the supporter's four, and the target's two: each
target, a supporter's representative included, receives its own letter), by plain substitution. Letters may be
written by supporters, so `str.format` is not used: it would evaluate `{first_name.__class__}`
and raise on a stray brace. Anything else in braces is left as written.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SUPPORTER_PLACEHOLDERS = ("first_name", "last_name", "country", "postal_code")
TARGET_PLACEHOLDERS = ("target_salutation", "target_name")
PLACEHOLDERS = SUPPORTER_PLACEHOLDERS + TARGET_PLACEHOLDERS
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")
PREVIEW_LABELS = {
    "first_name": _("your first name"),
    "last_name": _("your last name"),
    "country": _("your country"),
    "postal_code": _("your postal code"),
    "target_salutation": _("their salutation"),
    "target_name": _("the recipient's name"),
}


#: What an editor may have meant as a placeholder: a word (or words) in braces.
_LOOKS_LIKE_PLACEHOLDER = re.compile(r"\{\s*([A-Za-z][A-Za-z_ -]*?)\s*\}")


_WRITTEN_PLACEHOLDERS = {f"{{{name}}}" for name in PLACEHOLDERS}


def unknown_placeholders(text: str) -> list[str]:
    """Braced words in `text` that are not placeholders, e.g. `{firstname}`, in order."""
    return [
        match.group(0)
        for match in _LOOKS_LIKE_PLACEHOLDER.finditer(text)
        if match.group(0) not in _WRITTEN_PLACEHOLDERS
    ]


def refuse_unknown_placeholders(text: str) -> None:
    """Refuse a misspelt placeholder, in any language: every target would receive it as
    written ("Je m'appelle {prenom} Dupont")."""
    if unknown := unknown_placeholders(text):
        raise ValidationError(
            _(
                "%(unknown)s is not a placeholder, so targets would receive it as "
                "written. The placeholders are %(known)s."
            ),
            params={
                "unknown": ", ".join(dict.fromkeys(unknown)),
                "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
            },
            code="unknown_placeholder",
        )


def placeholders_in(*texts: str) -> list[str]:
    """The placeholders `texts` use, each once, in the order they first appear."""
    found = (match.group(1) for text in texts for match in _PLACEHOLDER.finditer(text))
    return list(dict.fromkeys(found))


def fill(text: str, values: dict) -> str:
    """`text` with each known placeholder replaced by its value, in one pass."""
    return _PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), "")), text)


def letter_preview(text: str) -> str:
    """`text` as a supporter reads it on the page: placeholders named, not filled."""
    return fill(text, {name: f"[{label}]" for name, label in PREVIEW_LABELS.items()})


def supporter_values(signature) -> dict:
    return {
        "first_name": signature.first_name,
        "last_name": signature.last_name,
        "country": signature.country.name if signature.country else "",
        "postal_code": signature.postal_code,
    }


def target_values(target) -> dict:
    return {
        "target_salutation": target.salutation if target else "",
        "target_name": target.name if target else "",
    }


#: A closing line: a few words ending with a comma, alone in its paragraph ("Yours sincerely,").
_CLOSING = re.compile(r"[^\n.!?:;]{1,40}[,،]")


def split_closing(body: str, name: str = "") -> tuple[str, str]:
    """(the letter up to its closing, the closing line or "") of a filled-in letter.

    A letter that ends with the supporter's `name` loses it: the letter is signed below the
    closing once, with the name and details (`letter_for`'s `signed_by`).
    """
    lines = body.strip().split("\n")
    while lines and (not lines[-1].strip() or (name and lines[-1].strip() == name)):
        lines.pop()
    last = lines[-1].strip() if lines else ""
    if len(lines) > 1 and not lines[-2].strip() and _CLOSING.fullmatch(last):
        return "\n".join(lines[:-1]).strip(), last
    return "\n".join(lines).strip(), ""


def letter_for(signature, campaign=None, target=None, signed_by: str = "") -> tuple[str, str]:
    """The (subject, body) that `signature` sends to `target`, as a person writes a letter:
    the salutation and text, the supporter's personal note (if the campaign asks for one),
    the closing, then `signed_by` (their name and details), once.

    The text is the supporter's edited letter when the campaign lets supporters edit it,
    else the campaign's.
    """
    campaign = campaign or signature.campaign.specific
    subject, body = campaign.message_subject, campaign.message_body
    if campaign.letter_editable:
        subject = signature.letter_subject or subject
        body = signature.letter_body or body
    values = supporter_values(signature) | target_values(target)
    subject = fill(subject, values)
    body, closing = split_closing(
        fill(body, values), signature.full_name.strip() if signed_by else ""
    )
    note = signature.personal_note.strip() if campaign.personal_note_limit else ""
    paragraphs = [part for part in (body, note) if part]
    if closing:  # the name goes right under the closing, as signed
        paragraphs.append("\n".join(part for part in (closing, signed_by) if part))
    elif signed_by:
        paragraphs.append(signed_by)
    return subject, "\n\n".join(paragraphs)
