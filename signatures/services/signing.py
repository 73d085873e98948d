"""Taking a supporter's action: validate, store one row, answer.

The request writes exactly one row and touches no shared counter row, sends no email and
calls nothing slow: the row is itself the outbox entry, handed to the workers after commit
(`outbox.dispatch`), and the sweeper picks it up if the broker was down.
"""

from contextlib import nullcontext

from django.db import IntegrityError, connection, transaction

from .. import counter
from ..abuse import ActionRefused, check_address, check_rate
from ..emails import email_key
from ..models import Signature
from .outbox import enqueue_on_commit
from .privacy import consent_record

__all__ = ["ActionRefused", "sign"]


def sign(
    campaign, details: dict, *, client_ip: str | None = None, source: dict | None = None
) -> tuple[Signature, bool]:
    """Record a supporter's action once; enqueue its follow-up work after commit.

    `details` are a SignatureForm's cleaned data, `source` where the action came from
    (sources.of_action). Returns the signature and whether it is
    new. A repeat returns the existing row and changes nothing, so callers answer both the
    same way. Raises ActionRefused for a closed campaign, too many actions from one
    connection (429) or a disposable address.
    """
    from ..tasks import dispatch

    if refusal := campaign.refusal_message():  # closed, or not open yet
        raise ActionRefused(refusal, status=403)
    check_rate(client_ip)
    check_address(details["email"])
    pending = campaign.confirmation_required
    signature = Signature(
        campaign=campaign,
        email_key=email_key(details["email"]),
        status=Signature.Status.PENDING if pending else Signature.Status.COUNTED,
        ip_address=client_ip,
        **details,
        **(source or {}),
        **consent_record(campaign, details),
    )
    try:
        # One INSERT, its own transaction: the unique (campaign, email_key) constraint finds
        # repeats without a prior SELECT and without a race between two identical posts.
        # Called inside a caller's transaction, a savepoint keeps that one usable; called
        # on its own (the views), the single statement commits by itself, sparing BEGIN and
        # COMMIT round trips on the hot path.
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            signature.save(force_insert=True)
            enqueue_on_commit(dispatch, signature.pk)
    except IntegrityError:
        repeat = Signature.objects.filter(campaign=campaign, email_key=signature.email_key).first()
        if repeat is None:
            raise
        return repeat, False
    if not pending:
        counter.signed(campaign.pk)
    return signature, True
