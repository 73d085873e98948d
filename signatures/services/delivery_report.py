"""Proof of delivery, per target: what became of a campaign's letters to each target.

Counts only, and what went wrong with the target's own address: nothing about any
supporter (no name, no address, no letter), so editors, the staff API and webhooks may
read it. An error text could quote an address (a mail server's refusal names whom it
refused): every address in it but the target's own is blanked (`without_addresses`).
"""

import re
from dataclasses import asdict, dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Delivery, Suppression
from .privacy import mailbox_hash

State, Outcome = Delivery.State, Delivery.Outcome

#: What a failed letter's last_error starts with when its target was unpublished
#: (services.delivery.undeliverable): those letters wait for the target's approval.
UNPUBLISHED = "The target is unpublished"

COUNTS = {
    "letters": Q(),
    "waiting": Q(state=State.PENDING),
    "accepted": Q(state=State.SENT),
    "delivered": Q(outcome=Outcome.DELIVERED),
    "bounced": Q(outcome__in=[Outcome.BOUNCED, Outcome.REJECTED]),
    "complained": Q(outcome=Outcome.COMPLAINED),
    "failed": Q(state=State.FAILED),
    "withheld": Q(state=State.WITHHELD),
    # Not sent because the target is not approved (published): pending, or refused as such.
    "unapproved": Q(state=State.PENDING, target__live=False)
    | Q(state=State.FAILED, last_error__startswith=UNPUBLISHED),
}

#: How services.moderation marks the letters it holds back.
WITHHELD = "Withheld:"

ADDRESS = re.compile(r"[^\s<>()\[\]'\",;:]+@[^\s<>()\[\]'\",;:]+")

#: What an editor can do, by what is wrong (the first that applies).
ADVICE = {
    "unpublished": _(
        "The target is not published: its letters wait until someone who may publish "
        "targets publishes it (Snippets → Targets)."
    ),
    "no_address": _("The target has no email address: add one and publish the target."),
    "complained": _(
        "The target's mail server reported our letters as spam: reach the office another "
        "way, and consider sending it a daily digest (Action → Confirmation and delivery)."
    ),
    "bounced": _(
        "The address bounces: check it with the target's office, correct and publish the "
        "target, then send the failed letters again from Signatures → Deliveries."
    ),
    "failed": _(
        "Letters were refused for good: once the cause below is fixed, send them again from "
        "Signatures → Deliveries."
    ),
    "retrying": _(
        "Sending failed and is being retried automatically; if it lasts, check the mail "
        "server's settings (EMAIL_URL) and its logs."
    ),
}


@dataclass(frozen=True)
class TargetDelivery:
    target_id: int
    target: str  # salutation and name, as the page shows it
    published: bool
    letters: int
    waiting: int
    waiting_for_approval: int
    accepted: int  # by the mail server (its 250)
    delivered: int  # as the provider reported (tracking); never with plain SMTP
    bounced: int
    complained: int
    failed: int
    withheld: int  # by moderation: the supporter's action no longer counts
    suppressed: str  # "bounced" or "complained" if the address is on the suppression list
    last_failure: str
    last_failure_at: datetime | None
    advice: str

    def as_dict(self) -> dict:
        return asdict(self)


def without_addresses(text: str, keep: str = "") -> str:
    """The text with every email address but `keep` blanked."""
    keep = keep.lower()
    return ADDRESS.sub(lambda m: m.group(0) if m.group(0).lower() == keep else "[address]", text)


def campaign_targets_report(campaign) -> list[TargetDelivery]:
    """Every target the campaign has written to or names, in the campaign's order first."""
    from campaigns.models import Target

    source_id = campaign.counter_source.pk
    letters = Delivery.objects.filter(signature__campaign_id=source_id)
    counts = {
        row["target_id"]: row
        for row in letters.values("target_id")
        .annotate(**{name: Count("pk", filter=rule) for name, rule in COUNTS.items()})
        .order_by()
    }
    named = list(campaign.campaign_targets.values_list("target_id", flat=True))
    ids = named + sorted(set(counts) - set(named))
    targets = Target.objects.in_bulk(ids)
    suppressed = _suppressed(targets.values())
    return [
        _report(targets[pk], counts.get(pk, {}), letters.filter(target_id=pk), suppressed)
        for pk in ids
        if pk in targets
    ]


def _suppressed(targets) -> dict[str, str]:
    """The targets' mailboxes held back now (a bounce's expired: they are not), and why."""
    hashes = {mailbox_hash(target.email) for target in targets if target.email}
    return dict(
        Suppression.objects.in_force(timezone.now())
        .filter(address_hash__in=hashes)
        .values_list("address_hash", "reason")
    )


def _report(target, counts: dict, letters, suppressed: dict) -> TargetDelivery:
    number = {name: counts.get(name, 0) for name in COUNTS}
    suppression = suppressed.get(mailbox_hash(target.email), "") if target.email else ""
    failure, failed_at = _last_failure(letters)
    return TargetDelivery(
        target_id=target.pk,
        target=str(target),
        published=target.live,
        letters=number["letters"],
        waiting=number["waiting"],
        waiting_for_approval=number["unapproved"],
        accepted=number["accepted"],
        delivered=number["delivered"],
        bounced=number["bounced"],
        complained=number["complained"],
        failed=number["failed"],
        withheld=number["withheld"],
        suppressed=suppression,
        last_failure=without_addresses(failure, keep=target.email),
        last_failure_at=failed_at,
        advice=str(_advice(target, number, suppression, failure)),
    )


def _last_failure(letters) -> tuple[str, datetime | None]:
    """The latest thing that went wrong: a provider's bounce report or a sending error."""
    reported = (
        letters.filter(outcome__in=[Outcome.BOUNCED, Outcome.REJECTED, Outcome.COMPLAINED])
        .order_by("-outcome_at")
        .values_list("outcome_reason", "outcome", "outcome_at")
        .first()
    )
    erred = (
        letters.filter(state__in=[State.FAILED, State.PENDING])
        .exclude(last_error="")
        .exclude(last_error__startswith=WITHHELD)  # a moderator's doing, not a failure
        .order_by("-due_at")
        .values_list("last_error", "due_at")
        .first()
    )
    if reported and (not erred or reported[2] >= erred[1]):
        return reported[0] or Outcome(reported[1]).label, reported[2]
    if erred:
        return erred
    return "", None


def _advice(target, number: dict, suppression: str, failure: str) -> str:
    if not target.live:
        return ADVICE["unpublished"]
    if not target.email:
        return ADVICE["no_address"]
    if suppression == Suppression.Reason.COMPLAINED or number["complained"]:
        return ADVICE["complained"]
    if suppression == Suppression.Reason.BOUNCED or number["bounced"]:
        return ADVICE["bounced"]
    if number["failed"] - number["unapproved"] > 0:
        return ADVICE["failed"]
    if failure and number["waiting"]:
        return ADVICE["retrying"]
    return ""
