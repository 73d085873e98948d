from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from insights import landing, page_views, sources
from signatures import abuse, action_metrics, thank_you
from signatures.caching.live_campaigns import live_campaign

from .abuse import ActionRefused
from .forms import SignatureForm
from .services import confirmation, signing, unsubscribe


# No CSRF token: the campaign page that carries this form is served from a shared cache,
# so it cannot hold a per-user token. abuse.check_form refuses posts from other sites by
# their Sec-Fetch-Site/Origin headers instead; the form uses no cookie that could be abused.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def sign_by_form(request, campaign_id: int):
    """Take a supporter's action. Kept off Wagtail's page routing: this is the hot path."""
    live = live_campaign(campaign_id)
    if live is None:
        raise Http404
    campaign = live.page
    campaign.activate_language(request)  # its form's messages too
    if request.method == "GET":
        # This address shows in the browser after a refused action: reloading it, or
        # coming back to it, leads to the campaign.
        return HttpResponseRedirect(campaign.url)
    if not live.public and not _let_through(request, campaign):
        # Behind a password or login: the page itself asks for it, as for any visit.
        return HttpResponseRedirect(campaign.url, status=303)
    form = SignatureForm(request.POST, campaign=campaign)
    try:
        abuse.check_form(request)
        if not form.is_valid():
            action_metrics.action_refused("invalid")
            return _show_form(request, campaign, form, 400)
        abuse.check_fill_time(request)
        signature, _new = signing.record_signature(
            campaign,
            form.cleaned_data,
            client_ip=abuse.client_ip(request),
            source=sources.of_action(request.POST, request),
        )
    except ActionRefused as refusal:
        action_metrics.action_refused(action_metrics.refusal_reason(refusal))
        form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        # A postal code straddling districts: the page offers them to choose from.
        form.district_candidates = getattr(refusal, "candidates", ())
        response = _show_form(request, campaign, form, refusal.status)
        if refusal.retry_after:
            response["Retry-After"] = str(refusal.retry_after)
        return response
    # New or repeat, the answer is the same: the page never tells who has signed.
    action_metrics.action_accepted()
    if campaign.writes_to_representatives:
        # Who the letter goes to, in answer to the POST: see signatures.thank_you.
        return thank_you.naming(request, live, signature.representatives)
    return HttpResponseRedirect(live.thank_you_url)


# No CSRF token: a view counted is all it does, as a GET of the page would.
@csrf_exempt
@require_http_methods(["POST"])
def view(request, campaign_id: int):
    """The beacon: a view of a campaign's page kept by a CDN, or of its form embedded in a
    partner's page (which sends it, so that site is its partner site)."""
    live = live_campaign(campaign_id)
    if live is None:
        raise Http404
    campaign_id = live.page.counter_source.pk  # a translation's views are its campaign's
    if landing.is_person_viewing(request, beacon=True):
        try:  # anyone can post here: a network counts a few views, not a stream
            abuse.check_rate(
                abuse.client_ip(request), setting="CLARION_BEACON_RATE_LIMIT", kind="beacon"
            )
        except ActionRefused as refusal:
            response = HttpResponse(status=429)
            response["Retry-After"] = str(refusal.retry_after)
            response["Cache-Control"] = "no-store"
            return response
        carried = {name: sources.clean_tag(request.POST.get(name)) for name in sources.CARRIED}
        carried["referrer"] = sources.referrer_domain(request.POST.get("referrer"), request)
        dimensions = sources.view_dimensions(carried, request, live.page.language, embedded=True)
        page_views.count(campaign_id, dimensions)
    response = HttpResponse(status=204)
    response["Cache-Control"] = "no-store"
    return response


def _let_through(request, campaign) -> bool:
    """Whether this visitor has passed the campaign's password, login or group restriction."""
    return all(
        restriction.accept_request(request) for restriction in campaign.get_view_restrictions()
    )


def _show_form(request, campaign, form, status):
    """The campaign page again, with the supporter's input and what to correct."""
    context = campaign.get_context(request, form=form)
    response = TemplateResponse(request, campaign.get_template(request), context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


# No CSRF token either: the signed token in the address is what authorises the POST, and
# whoever holds it could post it themselves. A supporter whose browser refuses cookies can
# still confirm.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    """Double opt-in. GET only shows a button (mail scanners fetch links); POST confirms."""
    try:
        if request.method == "POST":
            signature = confirmation.confirm_signature(token)
        else:
            signature = confirmation.pending_signature(token)
    except ActionRefused as refusal:
        return _confirm_page(request, {"error": refusal.message}, refusal.status)
    signature.page.activate_language(request)
    context = {"campaign": signature.page, "confirmed": request.method == "POST"}
    return _confirm_page(request, context, 200)


# No CSRF token: the signed token authorises the POST, and a mail provider's one-click
# unsubscribe (RFC 8058) posts it from elsewhere, with no cookie.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_from_updates(request, token: str):
    """GET shows a button (mail scanners fetch links); POST unsubscribes at once."""
    try:
        if request.method == "POST":
            signature = unsubscribe.unsubscribe(token)
        else:
            signature = unsubscribe.signature_for(token)
    except ActionRefused as refusal:
        return _token_page(
            request, "signatures/unsubscribe.html", {"error": refusal.message}, refusal.status
        )
    signature.page.activate_language(request)
    context = {"campaign": signature.page, "done": request.method == "POST"}
    return _token_page(request, "signatures/unsubscribe.html", context, 200)


def _confirm_page(request, context, status):
    return _token_page(request, "signatures/confirm.html", context, status)


def _token_page(request, template, context, status):
    response = TemplateResponse(request, template, context, status=status)
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"  # the token is in the URL
    response["X-Robots-Tag"] = "noindex"
    return response
