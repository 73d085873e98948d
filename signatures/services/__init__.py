"""Every operation on signatures that has side effects, one module per concern.

Views, API routes, admin actions and tasks validate their input, then call these.
"""

from .confirmation import (
    confirm,
    give_up_supporter_email,
    send_confirmation,
    send_receipt,
    supporter_email_later,
    token_for,
)
from .delivery import compose, deliver, fail, retry_later
from .digest import send_digests
from .outbox import dispatch, sweep
from .signing import ActionRefused, sign

__all__ = [
    "ActionRefused",
    "compose",
    "confirm",
    "deliver",
    "dispatch",
    "fail",
    "give_up_supporter_email",
    "retry_later",
    "send_confirmation",
    "send_digests",
    "send_receipt",
    "sign",
    "supporter_email_later",
    "sweep",
    "token_for",
]
