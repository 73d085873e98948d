"""One mail-server connection per worker thread, kept open between emails.

Opening a connection (TCP, EHLO, perhaps STARTTLS and AUTH) costs more than sending a
letter, and a worker sends thousands in a row. The connection is kept for the next email,
checked with NOOP when it has been idle (servers drop idle clients), and thrown away after
any error, since the session's state is then unknown.
"""

import smtplib
import threading
import time

from django.conf import settings
from django.core.mail import get_connection

#: A connection idle for longer than this is checked before it is used again.
IDLE_CHECK_SECONDS = 5

_local = threading.local()


def send(message) -> None:
    """Hand `message` to the mail server; returns once the server has accepted it."""
    connection = _connection()
    try:
        connection.send_messages([message])
    except BaseException:
        discard()
        raise
    _local.used_at = time.monotonic()


def is_permanent(error: Exception) -> bool:
    """A 5xx answer (or refused recipients) will not change by trying again."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return True
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def discard() -> None:
    """Close and forget this thread's connection (quietly: it may be broken already)."""
    connection, _local.connection = getattr(_local, "connection", None), None
    if connection is not None:
        try:
            connection.close()
        except Exception:  # noqa: S110 - a broken connection is being dropped anyway
            pass


def _connection():
    # Settings can change (tests point Django at a new server): a kept connection is only
    # reused for the same backend and server.
    key = tuple(
        getattr(settings, name, None)
        for name in ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER")
    )
    connection = getattr(_local, "connection", None)
    if connection is not None and (_local.key != key or not _still_open(connection)):
        discard()
        connection = None
    if connection is None:
        connection = get_connection(fail_silently=False)
        connection.open()
        _local.connection, _local.key, _local.used_at = connection, key, time.monotonic()
    return connection


def _still_open(connection) -> bool:
    if not hasattr(connection, "connection"):
        return True  # not the SMTP backend (console, memory in tests): nothing to keep open
    session = connection.connection  # the smtplib.SMTP session; None once closed
    if session is None:
        return False
    if time.monotonic() - _local.used_at < IDLE_CHECK_SECONDS:
        return True
    try:
        return session.noop()[0] == 250
    except OSError:
        return False
