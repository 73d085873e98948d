"""Wagtail 8.0's Image.get_rendition, without writing back to the cache a rendition it found
among the image's prefetched renditions.

Wagtail 8.0 writes every rendition the `{% image %}` tag asks for to the cache, found or
made: on Redis a pickled rendition and a round trip per tag, even when the rendition was
prefetched with the image (as the published pages each process keeps have theirs, see
signatures.caching.published_pages), which the cache was meant to save. That was a quarter of a
rendered campaign page's time in-process (bench/profile_page.py). Wagtail fixed it upstream
(wagtail/wagtail#14541: get_rendition skips the write as get_renditions already did); this
applies the same change to Wagtail 8.0 only, so an upgrade drops it.
"""

import wagtail
from wagtail.images.models import AbstractImage, Filter, InvalidFilterSpecError

LIBRARY = "wagtail"
TESTED = ((8, 0),)
UPSTREAM = "wagtail/wagtail#14541"


def get_rendition(self, filter):
    """AbstractImage.get_rendition of Wagtail 8.0.1, but for the write marked below."""
    Rendition = self.get_rendition_model()

    if isinstance(filter, str):
        filter = Filter(spec=filter)
    elif not isinstance(filter, Filter):
        raise InvalidFilterSpecError(
            "Unrecognised filter format - string or Filter instance expected"
        )

    filter = self.clean_filter_for_svg(filter)

    try:
        rendition = self.find_existing_rendition(filter)
    except Rendition.DoesNotExist:
        rendition = self.create_rendition(filter)
        # Reuse this rendition if requested again from this object
        self._add_to_prefetched_renditions(rendition)

    # The change: a prefetched rendition (marked _from_cache by find_existing_renditions)
    # is not written back, as get_renditions already does.
    if not getattr(rendition, "_from_cache", False):
        cache_key = Rendition.construct_cache_key(self, filter.get_cache_key(self), filter.spec)
        Rendition.cache_backend.set(cache_key, rendition)

    return rendition


def skip_rewriting_prefetched_renditions() -> bool:
    """Apply the change on Wagtail 8.0 (whose get_rendition it copies); True if applied."""
    if wagtail.VERSION[:2] not in TESTED:
        return False
    AbstractImage.get_rendition = get_rendition
    return True
