"""The moderation list's search term, kept out of every URL.

Moderators search for a supporter by email address or name. In a URL that term would be
written to server and proxy logs, browser history and Referer headers, and copied with
every pagination, ordering and export link. So the search box POSTs the term; the term
is kept in the moderator's own session under a random key, and the list, its links and
its exports carry only that key (`?search=<key>`).
"""

import secrets

from django.http import QueryDict

# The list's parameter holding the key, and modeladmin's, which is never read from a URL.
KEY_VAR = "search"
TERM_VAR = "q"
SESSION_KEY = "clarion.signature_searches"
# Only the latest few: a session is not an archive of who was looked up.
KEPT = 20


def remember(request, term: str) -> str:
    """Keep a search term in this user's session; returns the opaque key that stands for it."""
    searches = request.session.get(SESSION_KEY, {})
    key = secrets.token_urlsafe(12)
    searches[key] = [request.user.pk, term]
    request.session[SESSION_KEY] = dict(list(searches.items())[-KEPT:])
    return key


def recall(request, key: str) -> str | None:
    """The term a key stands for, or None if it is unknown, expired or another user's."""
    user_pk, term = request.session.get(SESSION_KEY, {}).get(key, (None, None))
    return term if user_pk is not None and user_pk == request.user.pk else None


def with_term(request, query: str) -> str | None:
    """The list's parameters with its search key swapped for the term itself, for a list
    rebuilt outside this request (a background export has no session); stored, never put
    in a URL. None if the key is unknown, or if the parameters carry a term of their own:
    it is never read from outside, and exporting everything instead would be worse than
    refusing."""
    params = QueryDict(query, mutable=True)
    if TERM_VAR in params:
        return None
    key = params.pop(KEY_VAR, [""])[-1]
    if key:
        term = recall(request, key)
        if term is None:
            return None
        params[TERM_VAR] = term
    return params.urlencode()
