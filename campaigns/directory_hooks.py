"""What a directory's refresh asks of the app that writes letters to representatives.

Signatures builds on campaigns, so campaigns never imports it: signatures registers each
of these as a Wagtail hook (signatures/wagtail_hooks.py), and the import
(campaigns/directory_import/) asks for them here, by name. With none registered (no app
writes letters), no letter is owed and no representative was written to.
"""

from django.core.exceptions import ImproperlyConfigured
from wagtail import hooks

#: `(targets) -> dict[int, int]`: the letters still owed to each of `targets` (queued, or
#: held for want of a successor), by the target's pk (those with none left out).
LETTERS_OWED = "clarion_directory_letters_owed"
#: `(targets) -> dict[int, int]`: of those, the letters held, by the target's pk: they wait
#: for a successor, listed for staff on the import screen.
LETTERS_HELD = "clarion_directory_letters_held"
#: `(target, successor, directory_name) -> None`: the letters still queued for `target`, a
#: representative leaving the directory, go to `successor`; with `successor` None they are
#: held (or stay held), the reason shown to staff. Called inside the import's transaction.
HAND_OVER_LETTERS = "clarion_directory_hand_over_letters"
#: `(targets) -> set[int]`: the pks of those of `targets` any letter was written to, sent
#: or not: they stay on record.
WRITTEN_TO = "clarion_directory_written_to"


def _registered(name: str):
    found = hooks.get_hooks(name)
    if len(found) > 1:
        raise ImproperlyConfigured(f"{len(found)} apps answer {name!r}, not one.")
    return found[0] if found else None


def letters_owed(targets) -> dict[int, int]:
    answer = _registered(LETTERS_OWED)
    return answer(targets) if answer else {}


def letters_held(targets) -> dict[int, int]:
    answer = _registered(LETTERS_HELD)
    return answer(targets) if answer else {}


def hand_over_letters(target, successor, directory_name: str) -> None:
    if answer := _registered(HAND_OVER_LETTERS):
        answer(target, successor, directory_name)


def written_to(targets) -> set[int]:
    answer = _registered(WRITTEN_TO)
    return answer(targets) if answer else set()
