"""A supporter's representatives: checked when they take action, written to when dispatched.

Signing asks the lookup once (campaigns.representatives): a postal code that leads nobody
is refused on its field; a provider that cannot answer now lets the action through, since
the signature row is the outbox entry and its letters are owed until dispatching finds
whom they go to. Dispatching asks again (`targets_for`) inside its transaction: should the
provider still be down, LookupUnavailable rolls the dispatch back and the row waits for the
dispatcher's next try or the sweeper's. Nothing is lost and nothing is sent twice: the
delivery rows carry the same unique (signature, target) pair as a fixed target's.

No letter is dropped in silence: should dispatching find fewer people to write to than the
lookup names (one unpublished since, or a code that now straddles districts the supporter
did not choose between), NobodyToWriteTo rolls the dispatch back like LookupUnavailable,
the signature is marked with the reason for staff (the Deliveries screen) and the letters
wait until the directory is put right.

A postal code that straddles districts is refused until the supporter chooses theirs
(DistrictToChoose, which carries the candidates) or gives a fuller code.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from campaigns import lookup_guard
from campaigns.models import Target, normalise_postal_code
from campaigns.representatives import (
    District,
    Found,
    LookupUnavailable,
    by_district,
    find,
    in_district,
)

from .. import log_actions
from ..abuse import ActionRefused

__all__ = [
    "DistrictToChoose",
    "LookupUnavailable",
    "NobodyToWriteTo",
    "found_for_signing",
    "targets_for",
]

NOBODY = _(
    "We could not find a representative for this postal code. Please check it, and write it "
    "as it appears on your mail."
)


NOT_A_POSTAL_CODE = _(
    "Please write your postal code with letters and digits only, as it appears on your mail."
)

POSTAL_CODE_NEEDED = _("Please enter your postal code: your letter goes to your representative.")

NOT_KNOWN_YET = _(
    "We cannot look up your representative right now. You can still send your letter: it "
    "goes to them as soon as we have found them."
)


CHOOSE_DISTRICT = _(
    "This postal code is shared by several districts: choose yours below, or enter your "
    "full postal code."
)


class DistrictToChoose(ActionRefused):
    """A postal code straddling districts, none of them chosen: the supporter chooses."""

    def __init__(self, candidates: list[District]):
        super().__init__(CHOOSE_DISTRICT, status=400, field="district")
        self.candidates = candidates


class NobodyToWriteTo(LookupUnavailable):
    """Fewer people to write to than the lookup names: the letters wait, staff are told
    (dispatching marks the signature with `reason`, one of the choices of
    Signature.waits_for_representative, shown on the Deliveries screen)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def found_for_signing(campaign, postal_code: str, district: str = "") -> list[Found] | None:
    """Who the letter will go to, for the thank-you page; None when the lookup cannot tell
    now (the action is taken, its letter waits). ActionRefused when nobody matches,
    DistrictToChoose when the code straddles districts and `district` is none of them."""
    if not normalise_postal_code(postal_code):
        raise ActionRefused(POSTAL_CODE_NEEDED, status=400, field="postal_code")
    if not lookup_guard.well_formed(postal_code):  # before anything is asked of anyone
        raise ActionRefused(NOT_A_POSTAL_CODE, status=400, field="postal_code")
    try:
        found = find(campaign.directory, postal_code)
    except LookupUnavailable:
        return None
    if not found:
        raise ActionRefused(NOBODY, status=400, field="postal_code")
    chosen = in_district(found, district)
    if chosen is None:
        raise DistrictToChoose(by_district(found))
    return chosen


def targets_for(campaign, postal_code: str, district: str = "") -> list[Target]:
    """The Target rows of the supporter's representatives (in the `district` they chose,
    if their code straddles several); LookupUnavailable if not now, NobodyToWriteTo if
    fewer than the lookup names can be written to.

    A remote provider's finds are kept in the directory as representatives (matched by
    name and district): one already there keeps its own, approved, details; a new one is
    published and logged, as the deployer's choice of provider vouches for its address.
    """
    found = in_district(find(campaign.directory, postal_code), district)
    if not found:
        raise NobodyToWriteTo("choose" if found is None else "nobody")
    known = [person.target_id for person in found if person.target_id]
    targets = list(Target.objects.filter(pk__in=known, live=True).exclude(email=""))
    for person in found:
        if not person.target_id:
            targets.append(_keep(campaign.directory, person))
    targets = [target for target in targets if target.live and target.email]
    if len(targets) < len(found):
        raise NobodyToWriteTo("unpublished")
    return targets


def _keep(directory, person: Found) -> Target:
    with transaction.atomic():
        target, created = Target.objects.get_or_create(
            directory=directory,
            name=person.name,
            district=person.district,
            defaults={
                **person.details(),
                "live": True,
                "has_unpublished_changes": False,
            },
        )
        if created:
            # On the record like an imported one: its first revision, published.
            target.save_revision(clean=False).publish(skip_permission_checks=True)
            target.refresh_from_db()
            log(
                instance=directory,
                action=log_actions.KEEP_REPRESENTATIVE,
                data={"representative": str(target), "district": target.district},
            )
    return target
