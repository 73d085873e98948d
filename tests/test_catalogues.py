"""Every site language's catalogue is complete: a supporter on a campaign page, or a staff
member using the admin, in any of settings.LANGUAGES never meets an English string.

The French catalogue is the reference (it is kept current with `make messages` and
reviewed); the others must hold every msgid it has, each translated and none fuzzy (a
fuzzy entry is not compiled, so it shows in English)."""

import gettext
import re
from collections import Counter

import polib  # installed with wagtail-localize, which reads and writes PO files with it
import pytest
from django.conf import settings

REFERENCE = "fr"
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
# Python's %-style (named or positional) and str.format-style placeholders.
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]*\}")


def _catalogue(code, ext="po"):
    return settings.BASE_DIR / "locale" / code / "LC_MESSAGES" / f"django.{ext}"


def _entries(code):
    return polib.pofile(str(_catalogue(code)))


def _nplurals(po):
    return int(re.search(r"nplurals=(\d+)", po.metadata["Plural-Forms"]).group(1))


def test_the_site_languages_include_the_reference():
    assert REFERENCE in LANGUAGES


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_catalogue_is_complete_and_translated(code):
    po = _entries(code)
    reference = {(e.msgctxt, e.msgid) for e in _entries(REFERENCE)}
    missing = reference - {(e.msgctxt, e.msgid) for e in po}
    assert not missing, (
        f"{len(missing)} msgids of locale/{REFERENCE} missing: {sorted(missing)[:5]}"
    )
    untranslated = [e.msgid for e in po.untranslated_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated: {untranslated[:5]}"
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not fuzzy, f"{len(fuzzy)} fuzzy: {fuzzy[:5]}"
    nplurals = _nplurals(po)
    short = [e.msgid for e in po if e.msgid_plural and len(e.msgstr_plural) != nplurals]
    assert not short, f"plural entries without all {nplurals} forms: {short[:5]}"


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_translations_keep_the_placeholders(code):
    """A dropped or misspelt placeholder either raises when the string is formatted or
    loses the value (the supporter's name, the target's)."""
    wrong = []
    for entry in _entries(code).translated_entries():
        if entry.msgid_plural:
            # A form may leave the number out ("no signatures"), never add a placeholder.
            allowed = set(PLACEHOLDER.findall(entry.msgid_plural))
            forms = entry.msgstr_plural.values()
            wrong += [entry.msgid for f in forms if not set(PLACEHOLDER.findall(f)) <= allowed]
        elif Counter(PLACEHOLDER.findall(entry.msgid)) != Counter(
            PLACEHOLDER.findall(entry.msgstr)
        ):
            wrong.append(entry.msgid)
    assert not wrong, f"{len(wrong)} entries with other placeholders: {wrong[:5]}"


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_compiled_catalogue_matches_the_po_file(code):
    """Django serves the .mo file: compilemessages must have run after the last edit."""
    with open(_catalogue(code, "mo"), "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = []
    for entry in _entries(code).translated_entries():
        if entry.msgid_plural:
            for n, form in entry.msgstr_plural.items():
                # The smallest count that picks form n, from the catalogue's own rule.
                count = next(c for c in range(200) if compiled.plural(c) == n)
                got = (
                    compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, count)
                    if entry.msgctxt is not None
                    else compiled.ngettext(entry.msgid, entry.msgid_plural, count)
                )
                if got != form:
                    stale.append(entry.msgid)
        else:
            got = (
                compiled.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt is not None
                else compiled.gettext(entry.msgid)
            )
            if got != entry.msgstr:
                stale.append(entry.msgid)
    assert not stale, f"{len(stale)} entries differ from django.mo: {stale[:5]}"
