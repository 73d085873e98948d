"""Normalising supporters' addresses for the one-signature-per-supporter rule."""

from functools import lru_cache

import idna

# Providers that ignore dots in the local part and deliver user+tag to user.
DOTLESS_DOMAINS = {"gmail.com", "googlemail.com"}


def email_key(address: str) -> str:
    """The form of an address under which duplicates are found.

    Case and surrounding space never matter; +tags are dropped everywhere (almost every
    provider delivers them to the same mailbox) and dots too where the provider ignores them.
    Quotes around a plain local part and the spelling of an international domain (Unicode
    or its xn-- form) do not make another mailbox either.
    """
    return _normalised(address, drop_tag=True)


def mailbox_key(address: str) -> str:
    """The form of an address under which only its own mailbox is found, to disclose data to.

    As `email_key`, but a +tag makes another address, except at the providers known to
    deliver it to the user: elsewhere `ana+x@` may be somebody other than `ana@`.
    """
    return _normalised(address, drop_tag=False)


def _normalised(address: str, *, drop_tag: bool) -> str:
    local, _, domain = address.strip().lower().rpartition("@")
    if len(local) > 2 and local[0] == local[-1] == '"' and '"' not in local[1:-1]:
        local = local[1:-1]
    domain = ascii_domain(domain)
    if drop_tag or domain in DOTLESS_DOMAINS:
        local = local.split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        local = local.replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


# Supporters' addresses share a few thousand domains: IDNA's checks of each label run once
# per domain and process, not on every action.
@lru_cache(maxsize=4096)
def ascii_domain(domain: str) -> str:
    """An international domain in its ASCII (xn--) form, by IDNA 2008 with the UTS 46
    mapping, as browsers and mail servers read it: Python's own codec is IDNA 2003, which
    turns `straße.de` into another domain, `strasse.de`. A name IDNA cannot encode is left
    as it is (the form's validator refuses it)."""
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError:
        return domain
