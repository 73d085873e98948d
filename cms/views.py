from django.http import HttpResponseRedirect
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from .models import OrganisationSettings

#: The organisation's icon as browsers show it in tabs (high-density screens included).
FAVICON_RENDITION = "fill-64x64|format-png"


@require_safe
def favicon(request):
    """/favicon.ico, which browsers ask for on every site: the organisation's browser icon,
    or Clarion's own while it has none."""
    organisation = OrganisationSettings.for_request(request)
    if organisation.favicon:
        url = organisation.favicon.get_rendition(FAVICON_RENDITION).url
    else:
        url = static("clarion/favicon.png")
    response = HttpResponseRedirect(url)
    patch_cache_control(response, public=True, max_age=60 * 60)
    return response
