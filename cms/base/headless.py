"""Previewing drafts in an external front end, when HEADLESS_PREVIEW_URL is set.

The editor's Preview button stores the draft under a signed token and shows the front end's
page (HEADLESS_PREVIEW_URL?content_type=…&token=…) in Wagtail's preview panel; the front
end fetches the draft from /api/v3/campaigns/preview/ with that token. Without the
setting, Wagtail's own preview renders the page's template as usual.
"""

from wagtail_headless_preview.models import HeadlessPreviewMixin
from wagtail_headless_preview.settings import headless_preview_settings


def headless_preview_enabled() -> bool:
    return bool(headless_preview_settings.CLIENT_URLS)


class HeadlessPreviewable(HeadlessPreviewMixin):
    """Put before Page in a page type's bases."""

    def serve_preview(self, request, preview_mode):
        if headless_preview_enabled():
            return super().serve_preview(request, preview_mode)
        # Skip the package's version: Wagtail's own preview of the page's template.
        return super(HeadlessPreviewMixin, self).serve_preview(request, preview_mode)
