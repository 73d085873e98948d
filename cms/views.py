from django.http import Http404, HttpResponseRedirect
from django.templatetags.static import static
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe
from wagtail import views as wagtail_views
from wagtail.models import Site

from cms.base.models import OrganisationSettings
from signatures.caching import published_pages

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


@require_safe
def unprefixed_page(request, path):
    """An address without a language, as pages had before campaigns were translated (or
    `/`): a redirect to that page, or to its translation in the language the visitor's
    browser prefers where it has one. Tags in the query string are kept."""
    site = Site.find_for_request(request)
    if site is None:
        raise Http404
    components = [component for component in path.split("/") if component]
    page = site.root_page.specific.route(request, components)[0]  # Http404 if none
    within = page.url_path[len(site.root_page.url_path) :]
    rest = "/".join(components)[len(within.rstrip("/")) :].lstrip("/")  # e.g. thank-you/
    if rest and not rest.endswith("/"):
        rest += "/"
    language = translation.get_language_from_request(request)
    preferred = page.get_translations().live().filter(locale__language_code=language).first()
    target = (preferred or page).get_url(request)
    if target is None:
        raise Http404
    query = request.META.get("QUERY_STRING", "")
    response = HttpResponseRedirect(target + rest + (f"?{query}" if query else ""))
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


def served_where_it_belongs(page, request):
    """A page asked for under another language's prefix (/es/… where Wagtail found no
    Spanish page and fell back to the default language's) is not offered there: a campaign
    answers 404; any other page (the home page, an index) redirects to its own address."""
    from campaigns.models import CampaignPage

    parts = page.get_url_parts(request)
    own = parts and parts[2]
    if not own or request.path.startswith(own):
        return None
    if isinstance(page, CampaignPage):
        raise Http404
    return HttpResponseRedirect(own)


def serve_page(request, path):
    """Wagtail's page view, with a published campaign page routed from the process's copy
    (signatures.caching.published_pages); the restrictions, hooks and the page's own serve run as
    in Wagtail's."""
    published_pages.route(request, path)
    return wagtail_views.serve(request, path)
