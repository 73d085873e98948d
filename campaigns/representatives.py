"""Finding a supporter's representatives from their postal code, by a pluggable provider.

`CLARION_REPRESENTATIVE_LOOKUP` names the provider class: the imported table
(`TableLookup`, the default: offline, one indexed query) or Open North's Represent API
(`campaigns.represent.RepresentLookup`). A provider's `find(directory, postal_code)`
returns who the code leads to (empty: nobody), or raises LookupUnavailable when it cannot
tell now; then the action is still taken and its letters wait for a later try
(signatures/services/representative_targets.py).

Only published representatives with an address are ever found: an unpublished row (a
draft, or one a moderator stopped) neither receives a letter nor stands for anyone.

A postal code may straddle districts: `by_district` groups what was found, and when there
is more than one district the supporter chooses theirs (`in_district`).
"""

from dataclasses import asdict, dataclass
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from .models import Directory, PostalPrefix, Target, normalise_postal_code
from .models.directories import PostalPrefixQuerySet

__all__ = [
    "District",
    "Found",
    "LookupUnavailable",
    "TableLookup",
    "by_district",
    "find",
    "in_district",
    "normalise_postal_code",
]


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


@dataclass(frozen=True)
class District:
    """One of the districts a postal code leads to, and its representatives there."""

    name: str
    people: tuple[Found, ...]

    def public(self) -> dict:
        return {"district": self.name, "representatives": [p.public() for p in self.people]}


def by_district(found: list[Found]) -> list[District]:
    """What was found, by district, in the districts' alphabetical order (the same on the
    page and in the API). Representatives without a district (a directory that records
    none) count as one district."""
    districts: dict[str, list[Found]] = {}
    for person in found:
        districts.setdefault(person.district, []).append(person)
    return [District(name, tuple(people)) for name, people in sorted(districts.items())]


def in_district(found: list[Found], district: str) -> list[Found] | None:
    """Those of `found` to write to: all of them when they are of one district, those of
    `district` when the code straddles several and it is one of them; None when the
    supporter must choose (a code straddling districts, none of them chosen)."""
    districts = by_district(found)
    if len(districts) <= 1:
        return found
    chosen = [group for group in districts if group.name == district.strip()]
    return list(chosen[0].people) if chosen else None


def published(directory: Directory, found: list[Found]) -> list[Found]:
    """A remote provider's finds as the directory's table has them, in one query: one the
    table holds published takes its row's approved details and id; one it holds unpublished
    (a draft, or stopped by a moderator) is not found at all; one it does not hold stays
    as found (dispatching keeps it: signatures/services/representative_targets.py)."""
    if not found:
        return found
    rows = {
        (row["name"], row["district"]): row
        for row in Target.objects.filter(
            directory=directory, name__in={person.name for person in found}
        ).values("id", *PostalPrefixQuerySet.REPRESENTATIVE)
    }
    kept = []
    for person in found:
        row = rows.get((person.name, person.district))
        if row is None:
            kept.append(person)
        elif row["live"] and row["email"]:
            kept.append(_found(row))
    return kept


def _found(row: dict) -> Found:
    return Found(
        name=row["name"],
        salutation=row["salutation"],
        email=row["email"],
        district=row["district"],
        party=row["party"],
        language=row["language"],
        target_id=row["id"],
    )


class TableLookup:
    """The directory's imported prefixes: the longest matching prefix wins."""

    def find(self, directory: Directory, postal_code: str) -> list[Found]:
        return [
            _found(person)
            for person in PostalPrefix.objects.longest_match(directory.pk, postal_code)
            # A representative unpublished, or without an address, receives nothing; nor
            # does a shorter prefix stand in for them (it may be someone else's district).
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
