"""Taking action through the API: the counter and signing, with the HTML form's rules.

POST /api/v3/campaigns/{id}/signatures/ validates with the same SignatureForm and calls the
same `signing.record_signature` as the campaign page, so duplicates, opt-in, abuse checks and
deliveries follow one set of rules. Cross-site forgery is refused without cookies: the body
must be JSON (so a browser must ask first, and CORS answers only allowed origins) and a
browser's Origin must be this site or one of CORS_ALLOWED_ORIGINS.
"""

import codecs
import json
from functools import wraps
from typing import Annotated

from django import forms
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import AfterValidator, BaseModel, ConfigDict, create_model
from wagtail.api.v3.errors import ProblemDetail, problem_response

from campaigns.api_schemas import NOT_FOUND, CampaignId, CounterSchema, describe_counter
from campaigns.models import CampaignPage
from cms.base import surge
from insights import sources
from signatures import abuse, action_metrics
from signatures.caching.live_campaigns import live_campaign
from signatures.services import representative_targets as representatives
from signatures.services import signing

from .abuse import ActionRefused
from .counter import SURGE_FRESHNESS_SECONDS
from .forms import SignatureForm

router = Router(tags=["actions"])

#: Browsers and CDNs keep a counter 5 seconds (the count itself is ≤5 s stale); past that a
#: CDN answers its pollers with the count it has while it fetches the next one (one request
#: per interval and edge, whatever the pollers), and keeps answering through an outage.
COUNTER_CACHE = "public, max-age=5, s-maxage=5, stale-while-revalidate=30, stale-if-error=600"
#: In surge mode (cms.base.surge) the count is recounted every 30 s: caches may keep it as long.
SURGE_COUNTER_CACHE = (
    f"public, max-age={SURGE_FRESHNESS_SECONDS}, s-maxage={SURGE_FRESHNESS_SECONDS}, "
    "stale-while-revalidate=60, stale-if-error=600"
)


class SignatureInBase(BaseModel):
    # A plain pydantic model: ninja's Schema reads a Django object's attributes through a
    # getter on every validation, which a JSON body never needs.
    # Fields a campaign adds to its form arrive as extra keys and are validated by the form.
    model_config = ConfigDict(extra="allow")


def _text(value: str) -> str:
    # JSON can carry lone surrogates ("\ud800"): not text, and no database stores them.
    try:
        value.encode()
    except UnicodeEncodeError:
        raise ValueError(_("Please remove the characters that are not text.")) from None
    return value


Text = Annotated[str, AfterValidator(_text)]

#: The request body: the sign form's fields, all optional here because the form decides
#: which are required for each campaign (and says so per field), and where the supporter
#: came from (the landing address's utm tags, the referring site: see insights.sources).
SignatureIn = create_model(
    "SignatureIn",
    __base__=SignatureInBase,
    **{
        name: (bool | None if isinstance(field, forms.BooleanField) else Text | None, None)
        for name, field in SignatureForm.base_fields.items()
    },
    **{name: (Text | None, None) for name in sources.CARRIED},
)


class ReceivedSchema(Schema):
    status: str  # "received"
    message: str  # the campaign's thank-you message
    confirmation_required: bool  # the supporter must confirm from the link emailed to them


class RecipientSchema(Schema):
    """Someone an action writes to, as the page names them (never their email address)."""

    salutation: str
    name: str
    district: str = ""
    party: str = ""


class DistrictSchema(Schema):
    """One of the districts a postal code straddles, and its representatives."""

    district: str
    representatives: list[RecipientSchema]


class TargetsSchema(Schema):
    targeting: str  # "fixed", "representative" or "both"
    targets: list[RecipientSchema]  # the campaign's own targets
    representatives: list[RecipientSchema]  # those the postal code leads to
    # True when the code straddles districts and none was chosen: `districts` lists them,
    # `representatives` is empty, and an action needs `district` (one of their names).
    choose_district: bool = False
    districts: list[DistrictSchema] = []
    # False when the lookup cannot tell now: an action is still taken, and its letter goes
    # to the representatives as soon as they are found.
    found: bool
    message: str


#: A postal code as typed: the longest in use is 10 characters, with spaces and a dash.
PostalCode = Annotated[str, Query(max_length=20)]
#: A district's name, as the targets route lists it.
DistrictName = Annotated[str, Query(max_length=200)]


def _problem(status: int, detail: str, errors=None, retry_after=None) -> HttpResponse:
    """A refusal: never to be cached, since the same request may succeed a moment later."""
    response = problem_response(status=status, detail=detail, errors=errors)
    response["Cache-Control"] = "no-store"
    if retry_after is not None:
        response["Retry-After"] = str(max(1, round(retry_after)))
    return response


#: What a front end is told when the body is no JSON object (a list, null) or is missing.
NOT_AN_OBJECT = gettext_lazy("Send the details as one JSON object, field by field.")

#: What a front end is told when a field arrives as the wrong JSON type, by pydantic's code.
TYPE_MESSAGES = {
    "string_type": gettext_lazy("Send this field as text."),
    "bool_type": gettext_lazy("Send this field as true or false."),
    "bool_parsing": gettext_lazy("Send this field as true or false."),
}


def body_type_errors(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse | None:
    """An action's fields of the wrong JSON type (a number for a name), told as the form's
    errors are: `loc` ["body", field], in the supporter's language. None for other routes."""
    match = request.resolver_match
    if match is None or match.url_name != "campaign_sign":
        return None
    campaign_id = str(match.kwargs.get("campaign_id", ""))
    if campaign_id.isdigit() and (live := live_campaign(int(campaign_id))) is not None:
        live.page.activate_language()  # told in the campaign's language, as its other errors are
    errors = []
    for error in exc.errors:
        loc = list(error.get("loc", ()))
        if loc[:2] == ["body", "data"]:  # the body parameter's name is no part of the body
            loc = ["body", *loc[2:]]
        kind = error.get("type", "invalid")
        if loc == ["body"]:  # no body at all
            message = NOT_AN_OBJECT
        elif kind == "value_error" and "error" in error.get("ctx", {}):
            message = error["ctx"]["error"]  # our own validator's words, without "Value error, "
        else:
            message = TYPE_MESSAGES.get(kind, error.get("msg", ""))
        errors.append({"loc": loc, "msg": str(message), "type": kind})
    return _problem(422, _("Please correct the details below."), errors=errors)


def origin_allowed(request: HttpRequest) -> bool:
    """Whether a browser's request comes from a page of an origin that is allowed."""
    origin = request.META.get("HTTP_ORIGIN")
    if origin is None:
        return True  # not sent by a browser across origins: servers, apps, same-origin GETs
    own = f"{request.scheme}://{request.get_host()}"
    return origin == own or origin in settings.CORS_ALLOWED_ORIGINS


def not_an_object(request) -> bool:
    """Whether the body is JSON, but a list, a string, a number or null."""
    try:
        body = request.body.removeprefix(codecs.BOM_UTF8).lstrip()  # the parser skips a BOM too
    except RequestDataTooBig:
        return False  # the API answers 413
    if body.startswith(b"{"):
        return False
    try:
        json.loads(body)
    except (ValueError, RecursionError):
        return False  # not JSON, or nested too deep: the API answers 400
    return True


def refuse_before_reading(run):
    """Answer a foreign origin (403), a body that is not JSON (415) or not a JSON object
    (422) before the body is parsed: parsing would answer first, with a puzzling 400, or
    with "required" for every field."""

    @wraps(run)
    def checked(request, *args, **kwargs):
        if not origin_allowed(request):
            response = _problem(403, _("Actions are not accepted from this website."))
        elif request.content_type != "application/json":
            response = _problem(
                415, _("Send the details as JSON (Content-Type: application/json).")
            )
        elif not_an_object(request):
            message = str(NOT_AN_OBJECT)
            error = {"loc": ["body"], "msg": message, "type": "object_type"}
            response = _problem(422, message, errors=[error])
        else:
            return run(request, *args, **kwargs)
        return response

    return checked


def _live_campaign(campaign_id: int) -> CampaignPage:
    """A live campaign open to anyone (kept in the process for a moment, as for the form)."""
    campaign = live_campaign(campaign_id)
    if campaign is None or not campaign.public:
        raise Http404(NOT_FOUND)
    return campaign.page


@router.get(
    "/{campaign_id}/counter/",
    response={200: CounterSchema, 404: ProblemDetail, 422: ProblemDetail},
    url_name="campaign_counter",
    operation_id="campaigns_counter",
    summary="How many have taken action, and the goal (cacheable for 5 seconds)",
)
def counter(request, response: HttpResponse, campaign_id: CampaignId):
    response["Cache-Control"] = SURGE_COUNTER_CACHE if surge.active() else COUNTER_CACHE
    return describe_counter(_live_campaign(campaign_id))


@router.get(
    "/{campaign_id}/targets/",
    response={200: TargetsSchema, 404: ProblemDetail, 422: ProblemDetail, 429: ProblemDetail},
    url_name="campaign_targets",
    operation_id="campaigns_targets",
    summary="Who an action would write to, for a postal code",
    description=(
        "The campaign's own targets and, on a campaign that writes to the supporter's "
        'representatives (`targeting` "representative" or "both"), those the '
        "`postal_code` leads to: names, salutations, districts and parties, never email "
        "addresses. A postal code that leads to nobody, or none given where one is needed: "
        '422 with `errors[].loc` ["query", "postal_code"]. A postal code shared by several '
        "districts: `choose_district` true and the candidates in `districts`; the action "
        "then needs `district`, the name of one of them (or a fuller postal code). Given "
        "`district`, only that district's representatives are named. Too many lookups from "
        "one connection: 429 with Retry-After."
    ),
)
def targets(
    request,
    response: HttpResponse,
    campaign_id: CampaignId,
    postal_code: PostalCode = "",
    district: DistrictName = "",
):
    # Never cached: a directory replaced takes effect at once, and the address carries the
    # supporter's postal code, which no shared cache should keep.
    response["Cache-Control"] = "no-store"
    campaign = _live_campaign(campaign_id)
    campaign.activate_language()
    fixed = [RecipientSchema(salutation=t.salutation, name=t.name) for t in campaign.targets]
    answer = {"targeting": campaign.targeting, "targets": fixed, "representatives": []}
    if not campaign.writes_to_representatives:
        return answer | {"found": True, "message": ""}
    try:
        # Each lookup may cost an outbound call: counted per connection, as actions are.
        abuse.check_rate(
            abuse.client_ip(request), setting="CLARION_LOOKUP_RATE_LIMIT", kind="lookup"
        )
        found = representatives.found_for_signing(campaign, postal_code, _text(district))
    except representatives.DistrictToChoose as choice:
        districts = [DistrictSchema(**group.public()) for group in choice.candidates]
        message = str(choice.message)
        return (
            answer
            | {"found": True, "message": message, "choose_district": True}
            | {"districts": districts}
        )
    except ActionRefused as refusal:
        if refusal.status == 429:
            return _problem(429, str(refusal.message), retry_after=refusal.retry_after)
        # Only our own words: never an exception's text.
        message = str(refusal.message)
        errors = [{"loc": ["query", "postal_code"], "msg": message, "type": "not_found"}]
        return _problem(422, message, errors=errors)
    if found is None:
        return answer | {"found": False, "message": str(representatives.NOT_KNOWN_YET)}
    names = [RecipientSchema(**person.public()) for person in found]
    return answer | {"representatives": names, "found": True, "message": ""}


@router.post(
    "/{campaign_id}/signatures/",
    response={
        202: ReceivedSchema,
        400: ProblemDetail,
        403: ProblemDetail,
        404: ProblemDetail,
        413: ProblemDetail,
        415: ProblemDetail,
        422: ProblemDetail,
        429: ProblemDetail,
    },
    url_name="campaign_sign",
    operation_id="campaigns_sign",
    summary="Take action: sign the campaign (JSON body)",
    description=(
        "Validated like the campaign page's form (the fields are in the campaign's "
        "`form.fields`). The answer is the same whether or not this address had taken "
        "action before. Optional `utm_source`, `utm_medium`, `utm_campaign` (the landing "
        "address's tags) and `referrer` (the referring page's address or domain: only the "
        "domain is kept) say where the supporter came from. Field errors: 422 with `errors[].loc` ending in the field's name. "
        "Refusals: 403 (closed campaign, origin not allowed), 429 with Retry-After."
    ),
)
@decorate_view(refuse_before_reading)
def sign_by_api(request, campaign_id: CampaignId, data: SignatureIn):
    # Every answer is an HttpResponse of its own, marked no-store (_problem, the 202 below).
    campaign = _live_campaign(campaign_id)
    campaign.activate_language()  # its messages are in the campaign's language, as on its page
    if refusal := campaign.refusal_message():  # closed: whatever was sent, say that first
        action_metrics.action_refused("forbidden")
        return _problem(403, str(refusal))
    submitted = {key: value for key, value in data.model_dump().items() if value is not None}
    form = SignatureForm(submitted, campaign=campaign)
    if not form.is_valid():
        action_metrics.action_refused("invalid")
        errors = [
            {
                "loc": ["body"] if name == "__all__" else ["body", name],
                "msg": message,
                "type": error.code or "invalid",
            }
            for name, field_errors in form.errors.as_data().items()
            for error in field_errors
            for message in error.messages
        ]
        return _problem(422, _("Please correct the details below."), errors=errors)
    try:
        signing.record_signature(
            campaign,
            form.cleaned_data,
            client_ip=abuse.client_ip(request),
            source=sources.of_action(submitted, request),
        )
    except ActionRefused as refusal:
        action_metrics.action_refused(action_metrics.refusal_reason(refusal))
        message = str(refusal.message)
        field = getattr(refusal, "field", None)
        if field:  # about one field (a disposable address): a field error like the others
            errors = [{"loc": ["body", field], "msg": message, "type": "refused"}]
            if candidates := getattr(refusal, "candidates", ()):  # a code straddling districts
                errors[0] |= {
                    "type": "choose_district",
                    "districts": [group.public() for group in candidates],
                }
            return _problem(422, message, errors=errors)
        return _problem(refusal.status, message, retry_after=refusal.retry_after)
    # New or repeat, the answer is the same: the API never tells who has signed.
    action_metrics.action_accepted()
    # ReceivedSchema, written out here: ninja's check of a view's result against its schema
    # cost more than the rest of the view, for three fields of known types.
    received = {
        "status": "received",
        "message": str(campaign.thank_you_message),
        "confirmation_required": bool(campaign.confirmation_required),
    }
    return HttpResponse(
        json.dumps(received),
        status=202,
        content_type="application/json",
        headers={"Cache-Control": "no-store"},
    )
