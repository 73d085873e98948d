"""Campaign content for headless front ends: GET /api/v3/campaigns/ and /api/v3/campaigns/{id}/.

Read-only and public: live, unrestricted campaigns only; no session, no personal data.
"""

from datetime import datetime
from typing import Annotated, Literal

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import StringConstraints
from wagtail.api.v3.errors import ProblemDetail
from wagtail.api.v3.pagination import WagtailLimitOffsetPagination
from wagtail.rich_text import expand_db_html

from . import page_parts
from .api_schemas import (
    NOT_FOUND,
    AnswersSchema,
    BlockSchema,
    CampaignId,
    CounterSchema,
    FormSetupSchema,
    ImageSchema,
    TargetSchema,
    describe_answers,
    describe_counter,
    describe_form,
    describe_image,
    describe_stream,
    form_texts,
    request_url,
)
from .models import CampaignPage

router = Router(tags=["campaigns"])

#: A language code as LANGUAGES spells them; anything else is a 422, never looked up.
LocaleCode = Annotated[
    str, StringConstraints(max_length=12, pattern=r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
]

#: Public content may be kept this long by browsers and proxies: as fresh as the counter.
PUBLIC_CACHE = "public, max-age=5"


class MetaSchema(Schema):
    slug: str
    language: str  # the campaign's language code (its texts, and the form's wording, are in it)
    direction: Literal["ltr", "rtl"]  # the language's reading direction, for `dir`
    show_in_menus: bool
    seo_title: str
    search_description: str
    first_published_at: datetime | None
    last_published_at: datetime | None


class StateSchema(Schema):
    is_open: bool
    opens_at: datetime | None
    closes_at: datetime | None
    closed_message: str


class LetterSchema(Schema):
    """The letter as written (with {placeholders}) and as a supporter reads it."""

    subject: str
    body: str
    subject_preview: str
    body_preview: str
    editable: bool
    personal_note_limit: int


class FollowUpSchema(Schema):
    """What happens after the form is sent: front ends tell supporters what to expect."""

    confirmation_required: bool  # the action counts once confirmed by a link emailed
    send_receipt: bool
    digest_minutes: int  # 0: each action is emailed to the targets on its own
    reply_links: bool  # the letters carry each target a private link to answer


class ActionSchema(Schema):
    ask: str
    # "fixed": every letter goes to `targets`; "representative": to the supporter's
    # representatives, found from their postal code (ask `targets_url`); "both".
    targeting: Literal["fixed", "representative", "both"]
    # The directory the representatives are found in, by name; null for "fixed".
    directory: str | None = None
    targets_url: str
    targets: list[TargetSchema]
    letter: LetterSchema
    form: FormSetupSchema
    follow_up: FollowUpSchema


class NextStepSchema(Schema):
    label: str
    url: str


class ThankYouSchema(Schema):
    message: str
    share_text: str
    share_url: str | None
    share_image: ImageSchema | None
    next_step: NextStepSchema | None


class ScriptsSchema(Schema):
    """Third-party snippets the page includes (analytics, pixels), as editors entered them."""

    head: str
    body: str


class TranslationSchema(Schema):
    """Another language the campaign is published in: the same campaign, the same count."""

    id: int
    locale: str  # its language code
    title: str
    html_url: str | None
    detail_url: str


class CampaignSummarySchema(Schema):
    id: int | None  # null only in the preview of a page never saved
    locale: str  # the language code this translation of the campaign is written in
    title: str
    lead: str
    html_url: str | None
    detail_url: str | None
    hero: ImageSchema | None
    state: StateSchema
    counter: CounterSchema  # one count for all the campaign's translations
    translations: list[TranslationSchema]  # its other live translations


class CampaignSchema(CampaignSummarySchema):
    meta: MetaSchema
    answers: AnswersSchema  # the targets' published answers, and who has answered
    story: list[BlockSchema]
    action: ActionSchema
    thank_you: ThankYouSchema
    social_image: ImageSchema | None
    scripts: ScriptsSchema


#: Where each field an editor sets appears in CampaignSchema (tests hold every panel to it).
EXPOSED_FIELDS = {
    "title": "title",
    "slug": "meta.slug",
    "show_in_menus": "meta.show_in_menus",
    "seo_title": "meta.seo_title",
    "search_description": "meta.search_description",
    "lead": "lead",
    "hero_image": "hero",
    "hero_credit": "hero.credit",
    "body": "story",
    "ask": "action.ask",
    "campaign_targets": "action.targets",
    "targeting": "action.targeting",
    "directory": "action.directory",
    "message_subject": "action.letter.subject",
    "message_body": "action.letter.body",
    "letter_editable": "action.letter.editable",
    "personal_note_limit": "action.letter.personal_note_limit",
    "country_field": "action.form.fields",
    "postal_code_field": "action.form.fields",
    "phone_field": "action.form.fields",
    "consent_text": "action.form.consent_text",
    "button_label": "action.form.button_label",
    "privacy_note": "action.form.privacy_note",
    "confirmation_required": "action.follow_up.confirmation_required",
    "send_receipt": "action.follow_up.send_receipt",
    "digest_minutes": "action.follow_up.digest_minutes",
    "reply_links": "action.follow_up.reply_links",
    "counter_offset": "counter.count",
    "counter_goal": "counter.goal",
    "count_breakdown": "counter.breakdown",
    "milestones": "counter.milestones",
    "count_note": "counter.breakdown.note",
    "thank_you_message": "thank_you.message",
    "share_text": "thank_you.share_text",
    "next_step_label": "thank_you.next_step.label",
    "next_step_url": "thank_you.next_step.url",
    "social_image": "social_image",
    "opens_at": "state.opens_at",
    "closes_at": "state.closes_at",
    "closed_message": "state.closed_message",
    "head_scripts": "scripts.head",
    "body_scripts": "scripts.body",
}


def live_campaigns():
    return CampaignPage.objects.live().public().order_by("-first_published_at", "pk")


def describe_translations(campaign, request) -> list[TranslationSchema]:
    return [
        TranslationSchema(
            id=page.pk,
            locale=page.language,
            title=page.title,
            html_url=page.get_full_url(request),
            detail_url=request_url(
                request, reverse("wagtailapi_v3:campaign_detail", args=[page.pk])
            ),
        )
        for page in campaign.live_translations()
    ]


def describe_summary(campaign, request) -> dict:
    detail_path = campaign.pk and reverse("wagtailapi_v3:campaign_detail", args=[campaign.pk])
    return {
        "id": campaign.pk,
        "locale": campaign.language,
        "title": campaign.title,
        "lead": campaign.lead,
        "html_url": campaign.get_full_url(request) if campaign.pk else None,
        "detail_url": request_url(request, detail_path) if detail_path else None,
        "hero": describe_image(campaign.hero_image, request, credit=campaign.hero_credit),
        "state": StateSchema(
            is_open=campaign.is_open(),
            opens_at=campaign.opens_at,
            closes_at=campaign.closes_at,
            closed_message=campaign.closed_message,
        ),
        "counter": describe_counter(campaign),
        "translations": describe_translations(campaign, request),
    }


def describe_campaign(campaign, request) -> dict:
    """The campaign, with the form's labels and wording in the campaign's language."""
    with translation.override(campaign.language):
        return _describe_campaign(campaign, request)


def _describe_campaign(campaign, request) -> dict:
    action_form = page_parts.provided(page_parts.ACTION_FORM)
    sign_path = campaign.pk and reverse("wagtailapi_v3:campaign_sign", args=[campaign.pk])
    subject_preview, body_preview = campaign.letter_preview()
    return describe_summary(campaign, request) | {
        "meta": MetaSchema(
            slug=campaign.slug,
            language=campaign.language,
            direction="rtl" if translation.get_language_bidi() else "ltr",
            show_in_menus=campaign.show_in_menus,
            seo_title=campaign.seo_title,
            search_description=campaign.search_description,
            first_published_at=campaign.first_published_at,
            last_published_at=campaign.last_published_at,
        ),
        "story": describe_stream(campaign.body, request),
        "action": ActionSchema(
            ask=campaign.ask,
            targeting=campaign.targeting,
            directory=campaign.directory.name
            if campaign.writes_to_representatives and campaign.directory_id
            else None,
            targets_url=request_url(
                request, reverse("wagtailapi_v3:campaign_targets", args=[campaign.pk])
            )
            if campaign.pk
            else "",
            targets=[
                TargetSchema(salutation=target.salutation, name=target.name)
                for target in campaign.targets
            ],
            letter=LetterSchema(
                subject=campaign.message_subject,
                body=campaign.message_body,
                subject_preview=subject_preview,
                body_preview=body_preview,
                editable=campaign.letter_editable,
                personal_note_limit=campaign.personal_note_limit,
            ),
            form=FormSetupSchema(
                action_url=request_url(request, sign_path) if sign_path else "",
                fields=describe_form(action_form(campaign=campaign)),
                consent_text=campaign.consent_text,
                button_label=campaign.button_label,
                privacy_note=expand_db_html(campaign.privacy_note),
                texts=form_texts(),
            ),
            follow_up=FollowUpSchema(
                confirmation_required=campaign.confirmation_required,
                send_receipt=campaign.send_receipt,
                digest_minutes=campaign.digest_minutes,
                reply_links=campaign.reply_links,
            ),
        ),
        "thank_you": ThankYouSchema(
            message=campaign.thank_you_message,
            share_text=campaign.share_text or campaign.lead,
            share_url=campaign.get_full_url(request) if campaign.pk else None,
            share_image=describe_image(campaign.share_image(), request),
            next_step=(
                NextStepSchema(label=str(next_step.label), url=next_step.url)
                if (next_step := campaign.next_step)
                else None
            ),
        ),
        "answers": describe_answers(campaign, request) if campaign.pk else _no_answers(),
        "social_image": describe_image(campaign.social_image, request),
        "scripts": ScriptsSchema(head=campaign.scripts.head, body=campaign.scripts.body),
    }


def _no_answers() -> AnswersSchema:
    return AnswersSchema(
        targets=0,
        targets_answered=0,
        representatives=0,
        representatives_answered=0,
        representative_share=None,
        answers=[],
    )


class CampaignPagination(WagtailLimitOffsetPagination):
    class Input(WagtailLimitOffsetPagination.Input):
        # Bounded: an offset past what a database integer holds is a 422, not a crash.
        offset: int = Field(default=0, ge=0)  # bounded by cms.middleware.QueryGuardMiddleware


class _Described:
    """Campaigns described only once paginated: the page's, not every campaign's counter."""

    def __init__(self, queryset, request):
        self.queryset, self.request = queryset, request

    def __len__(self):
        return self.queryset.count()

    def __getitem__(self, window: slice):
        return [describe_summary(campaign, self.request) for campaign in self.queryset[window]]


@router.get(
    "/",
    response={200: list[CampaignSummarySchema], 400: ProblemDetail, 422: ProblemDetail},
    url_name="campaign_list",
    operation_id="campaigns_list",
    summary="List live campaigns, newest first",
)
@paginate(CampaignPagination)
def list_campaigns(
    request,
    response: HttpResponse,
    locale: LocaleCode | None = Query(  # noqa: B008
        None, description="Only the campaigns (translations) in this language, e.g. `fr`."
    ),
):
    response["Cache-Control"] = PUBLIC_CACHE
    campaigns = live_campaigns().select_related("hero_image", "locale")
    if locale:
        campaigns = campaigns.filter(locale__language_code=locale)
    return _Described(campaigns, request)


@router.get(
    "/preview/",
    response={200: CampaignSchema, 404: ProblemDetail, 422: ProblemDetail},
    url_name="campaign_preview",
    operation_id="campaigns_preview",
    summary="A draft campaign, for an external front end's preview",
    description=(
        "Called by the front end configured as HEADLESS_PREVIEW_URL with the `content_type` "
        "and `token` it received from the editor's Preview button."
    ),
)
def preview_campaign(
    request,
    response: HttpResponse,
    content_type: str = Query(...),  # noqa: B008
    token: str = Query(...),  # noqa: B008
):
    response["Cache-Control"] = "private, no-store"  # a draft: never kept by proxies
    from wagtail_headless_preview.models import PagePreview

    if content_type != f"{CampaignPage._meta.app_label}.{CampaignPage._meta.model_name}":
        raise Http404(_("No campaign preview matches this token."))
    preview = PagePreview.objects.filter(token=token).first()
    if preview is None:
        raise Http404(_("No campaign preview matches this token (it lasts about a day)."))
    return describe_campaign(preview.as_page(), request)


@router.get(
    "/{campaign_id}/",
    response={200: CampaignSchema, 404: ProblemDetail, 422: ProblemDetail},
    url_name="campaign_detail",
    operation_id="campaigns_detail",
    summary="A live campaign: story, action form set-up, counter",
)
def get_campaign(request, response: HttpResponse, campaign_id: CampaignId):
    response["Cache-Control"] = PUBLIC_CACHE
    campaign = (
        live_campaigns().select_related("hero_image", "locale").filter(pk=campaign_id).first()
    )
    if campaign is None:
        raise Http404(NOT_FOUND)
    return describe_campaign(campaign, request)
