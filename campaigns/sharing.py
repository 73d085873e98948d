"""Share links that say where a visit came from: each network's link to a campaign carries
the source tags the page's visits and actions are counted by (insights.sources), so a
share comes back as "facebook / share" rather than as a direct visit or a referring site.
"""

from urllib.parse import urlencode, urlsplit, urlunsplit

#: The utm_medium of every share link; the statistics group shares by it.
SHARE_MEDIUM = "share"
#: The networks the share buttons offer, as their utm_source.
NETWORKS = ("email", "facebook", "x", "whatsapp")


def tagged(url: str, network: str, campaign_slug: str) -> str:
    """`url` with the tags of a share on `network` (any query it had is replaced: a campaign
    page's address carries none of its own)."""
    tags = {"utm_source": network, "utm_medium": SHARE_MEDIUM, "utm_campaign": campaign_slug}
    scheme, netloc, path, _query, fragment = urlsplit(url)
    return urlunsplit((scheme, netloc, path, urlencode(tags), fragment))


def share_links(url: str, campaign_slug: str) -> dict[str, str]:
    """network -> the campaign's address as shared there."""
    return {network: tagged(url, network, campaign_slug) for network in NETWORKS}
