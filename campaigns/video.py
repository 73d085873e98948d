"""Videos in a campaign's story: YouTube and Vimeo players only, never a provider's markup.

Wagtail's embed finders know only these two providers (WAGTAILEMBEDS_FINDERS), so an editor
cannot add another (a tweet brings platform.twitter.com's script beside the form, which
only holders of the scripts permission may add). The page renders the player's <iframe>
from its address alone: whatever else an oEmbed answer held, or an embed stored before
this rule, stays out.
"""

from html.parser import HTMLParser
from urllib.parse import urlsplit

from wagtail.embeds.finders import get_finders

#: Where the players of the allowed providers live.
PLAYER_HOSTS = {"www.youtube.com", "youtube.com", "www.youtube-nocookie.com", "player.vimeo.com"}


def is_video_address(url: str) -> bool:
    """Whether an allowed provider (an embed finder) takes this address."""
    return any(finder.accept(url) for finder in get_finders())


def player_address(embed_html: str) -> str | None:
    """The https address of the YouTube or Vimeo player in an oEmbed answer, if it has one."""
    finder = _IframeSources()
    finder.feed(embed_html or "")
    for src in finder.sources:
        parts = urlsplit(src)
        if parts.scheme == "https" and parts.hostname in PLAYER_HOSTS:
            return src
    return None


class _IframeSources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sources = []

    def handle_starttag(self, tag, attrs):
        if tag == "iframe":
            self.sources += [value for name, value in attrs if name == "src" and value]
