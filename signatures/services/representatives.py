"""A supporter's representatives: checked when they take action, written to when dispatched.

Signing asks the lookup once (campaigns.representatives): a postal code that leads nobody
is refused on its field; a provider that cannot answer now lets the action through, since
the signature row is the outbox entry and its letters are owed until dispatching finds
whom they go to. Dispatching asks again (`targets_for`) inside its transaction: should the
provider still be down, LookupUnavailable rolls the dispatch back and the row waits for the
dispatcher's next try or the sweeper's. Nothing is lost and nothing is sent twice: the
delivery rows carry the same unique (signature, target) pair as a fixed target's.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from campaigns import lookup_guard
from campaigns.models import Target, normalise_postal_code
from campaigns.representatives import Found, LookupUnavailable, find

from .. import log_actions
from ..abuse import ActionRefused

__all__ = ["LookupUnavailable", "found_for_signing", "targets_for"]

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


def found_for_signing(campaign, postal_code: str) -> list[Found] | None:
    """Who the letter will go to, for the thank-you page; None when the lookup cannot tell
    now (the action is taken, its letter waits). ActionRefused when nobody matches."""
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
    return found


def targets_for(campaign, postal_code: str) -> list[Target]:
    """The Target rows of the supporter's representatives; LookupUnavailable if not now.

    A remote provider's finds are kept in the directory as representatives (matched by
    name and district): one already there keeps its own, approved, details; a new one is
    published and logged, as the deployer's choice of provider vouches for its address.
    """
    found = find(campaign.directory, postal_code)
    known = [person.target_id for person in found if person.target_id]
    targets = list(Target.objects.filter(pk__in=known, live=True))
    for person in found:
        if not person.target_id:
            targets.append(_keep(campaign.directory, person))
    return [target for target in targets if target.live and target.email]


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
            log(
                instance=directory,
                action=log_actions.KEEP_REPRESENTATIVE,
                data={"representative": str(target), "district": target.district},
            )
    return target
