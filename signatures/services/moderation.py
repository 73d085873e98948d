"""Moderation: changing signatures' statuses, one by one or by rule, always logged.

Every change runs in one transaction, withholds the letters of signatures that stop
counting, records who did what to how many in Wagtail's log (one entry per campaign,
shown in the campaign's history and the site history report), and makes the campaign's
counter recount once the change is committed.
"""

from dataclasses import asdict, dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models.functions import Coalesce, Now
from wagtail.log_actions import log

from .. import count_breakdown, counter, log_actions
from ..models import Delivery, Signature
from ..selectors import start_of
from . import webhooks

Status = Signature.Status

# The log action recorded for each status a moderator sets.
ACTIONS = {
    Status.COUNTED: log_actions.APPROVE,
    Status.REJECTED: log_actions.REJECT,
    Status.SPAM: log_actions.MARK_SPAM,
}


@dataclass(frozen=True)
class Rule:
    """Which signatures an invalidation applies to; empty parts do not restrict."""

    campaign_id: int | None = None
    email_domain: str = ""
    ip_address: str | None = None
    signed_from: date | None = None
    signed_until: date | None = None

    def is_empty(self) -> bool:
        return not any(asdict(self).values())

    def signatures(self):
        rows = Signature.objects.all()
        if self.campaign_id:
            rows = rows.filter(campaign_id=self.campaign_id)
        if self.email_domain:
            domain = self.email_domain.strip().lower().lstrip("@")
            rows = rows.filter(email_key__endswith=f"@{domain}")
        if self.ip_address:
            rows = rows.filter(ip_address=self.ip_address)
        if self.signed_from:
            rows = rows.filter(created_at__gte=start_of(self.signed_from))
        if self.signed_until:
            rows = rows.filter(created_at__lt=start_of(self.signed_until + timedelta(days=1)))
        return rows

    def for_log(self) -> dict:
        """The rule as recorded in the log; an IP address is personal data, so only its kind."""
        entry = {key: str(value) for key, value in asdict(self).items() if value}
        if self.ip_address:
            entry["ip_address"] = "given"
        return entry


#: What an invalidation changes: signatures that count, or would once confirmed. Those
#: already rejected or marked as spam keep the label a moderator gave them.
INVALIDATED = (Status.COUNTED, Status.PENDING)


def preview(rule: Rule, status: str = Status.REJECTED) -> int:
    """How many signatures applying this rule would change, before it runs."""
    return rule.signatures().filter(status__in=INVALIDATED).count()


def set_status(signature_ids, status: str, user) -> int:
    """Give the selected signatures a status (approve, reject, mark spam). Returns how many changed.

    Approving leaves out what may not count (see `approvable`).
    """
    selected = Signature.objects.filter(pk__in=list(signature_ids))
    if status == Status.COUNTED:
        selected = approvable(selected)
    return _change(selected, status, user, ACTIONS[status])


def approvable(signatures):
    """The signatures a moderator may approve: not erased (their letters would go out with no
    name, Reply-To nobody), and not awaiting their supporter's confirmation (nobody but the
    owner of the address can say they took this action)."""
    return signatures.filter(anonymised_at__isnull=True).exclude(status=Status.PENDING)


def count_unapprovable(signature_ids) -> int:
    """How many of the selected signatures approving leaves as they are."""
    selected = Signature.objects.filter(pk__in=list(signature_ids)).exclude(status=Status.COUNTED)
    return selected.exclude(pk__in=approvable(selected).values("pk")).count()


def invalidate(rule: Rule, user, status: str = Status.REJECTED) -> int:
    """Reject (or mark as spam) every signature matching the rule. Returns how many changed."""
    if rule.is_empty():
        raise ValueError("An invalidation rule needs at least one condition.")
    return _change(
        rule.signatures().filter(status__in=INVALIDATED),
        status,
        user,
        log_actions.INVALIDATE,
        rule=rule,
    )


def _change(signatures, status: str, user, action: str, rule: Rule | None = None) -> int:
    from campaigns.models import CampaignPage

    if status not in Status.values:
        raise ValueError(f"Unknown status {status!r}")
    changing = signatures.exclude(status=status)
    total = 0
    with transaction.atomic():
        campaign_ids = sorted(set(changing.values_list("campaign_id", flat=True).distinct()))
        campaigns = CampaignPage.objects.in_bulk(campaign_ids)
        for campaign_id in campaign_ids:
            in_campaign = changing.filter(campaign_id=campaign_id)
            if status != Status.COUNTED:
                _withhold_letters(in_campaign, status)
            else:  # the CRM hears of each signature that now counts (once per signature)
                webhooks.announce(list(in_campaign.values_list("pk", flat=True)))
            # Counting again (approved after pending or rejected): its deliveries are due,
            # so the outbox sweeper hands it to the workers again (dispatch_signature is
            # idempotent).
            extra = {"dispatched_at": None} if status == Status.COUNTED else {}
            # The day it left the count, for the public breakdown (a relabel keeps the first).
            if status in Signature.REMOVED:
                extra["removed_at"] = Coalesce("removed_at", Now())
            else:
                extra["removed_at"] = None
            count = in_campaign.update(status=status, **extra)
            total += count
            log(
                campaigns[campaign_id],
                action,
                user=user,
                data={"count": count, "status": status, "rule": rule.for_log() if rule else None},
            )
            transaction.on_commit(lambda campaign_id=campaign_id: counter.changed(campaign_id))
            transaction.on_commit(
                lambda campaign_id=campaign_id: count_breakdown.changed(campaign_id)
            )
    return total


def _withhold_letters(signatures, status: str) -> None:
    """Letters not yet sent for signatures that no longer count are held back: approving
    the signature again sends them (dispatch.dispatch_signature)."""
    Delivery.objects.filter(
        signature__in=signatures.values("pk"), state=Delivery.State.PENDING
    ).update(
        state=Delivery.State.WITHHELD,
        last_error=f"Withheld: a moderator set the signature's status to {status}.",
    )
