"""Normalising supporters' addresses for the one-signature-per-supporter rule."""

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
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        pass  # not a valid international name: the form has refused it already
    if drop_tag or domain in DOTLESS_DOMAINS:
        local = local.split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        local = local.replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"
