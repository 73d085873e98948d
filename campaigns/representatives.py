"""Finding a supporter's representatives from their postal code, by a pluggable provider.

`CLARION_REPRESENTATIVE_LOOKUP` names the provider class: the imported table
(`TableLookup`, the default: offline, one indexed query) or Open North's Represent API
(`campaigns.represent.RepresentLookup`). A provider's `find(directory, postal_code)`
returns who the code leads to (empty: nobody), or raises LookupUnavailable when it cannot
tell now; then the action is still taken and its letters wait for a later try
(signatures/services/representatives.py).
"""

from dataclasses import asdict, dataclass
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from .models import Directory, PostalPrefix, normalise_postal_code

__all__ = ["Found", "LookupUnavailable", "TableLookup", "find", "normalise_postal_code"]


class LookupUnavailable(Exception):
    """The provider cannot answer now (down, too slow, or answering nonsense)."""


@dataclass(frozen=True)
class Found:
    """One representative a postal code leads to. `target_id` is set for a representative
    of the directory's table; a remote provider's finds have none until they are kept."""

    name: str
    salutation: str = ""
    email: str = ""
    district: str = ""
    party: str = ""
    language: str = ""
    target_id: int | None = None

    def public(self) -> dict:
        """What a supporter may see: never the address letters go to."""
        return {
            "name": self.name,
            "salutation": self.salutation,
            "district": self.district,
            "party": self.party,
        }

    def details(self) -> dict:
        found = asdict(self)
        del found["target_id"]
        return found


class TableLookup:
    """The directory's imported prefixes: the longest matching prefix wins."""

    def find(self, directory: Directory, postal_code: str) -> list[Found]:
        return [
            Found(
                name=person["name"],
                salutation=person["salutation"],
                email=person["email"],
                district=person["district"],
                party=person["party"],
                language=person["language"],
                target_id=person["id"],
            )
            for person in PostalPrefix.objects.longest_match(directory.pk, postal_code)
            # A representative unpublished, or without an address, receives nothing.
            if person["live"] and person["email"]
        ]


@cache
def _provider(path: str):
    return import_string(path)()


def provider():
    return _provider(settings.CLARION_REPRESENTATIVE_LOOKUP)


def find(directory: Directory, postal_code: str) -> list[Found]:
    """The representatives `postal_code` leads to in `directory`; LookupUnavailable if the
    provider cannot tell now."""
    if not normalise_postal_code(postal_code):
        return []
    return provider().find(directory, postal_code)
