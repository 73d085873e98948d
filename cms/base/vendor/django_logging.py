"""Telling Django that a response was logged already.

`django.utils.log.log_response` logs every 4xx and 5xx at WARNING or ERROR unless the
response carries `_has_been_logged`; Django sets it itself and offers no public way to.
The readiness check answers 503 by design and logs what changed on its own.
"""

LIBRARY = "django"
TESTED = ((5, 2),)
UPSTREAM = "django/utils/log.py, log_response (no public switch)"


def mark_logged(response) -> None:
    response._has_been_logged = True
