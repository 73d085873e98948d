"""What a campaign looks like to a headless front end: typed schemas and their builders.

Everything here is public: no target's email address, nothing about supporters.
"""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from ninja import Path, Schema
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock
from wagtail.images.models import SourceImageIOError
from wagtail.rich_text import RichText, expand_db_html

from .models import MAX_PAGE_ID

#: The 404 detail of every campaign route: it says no more than that (drafts are not found).
NOT_FOUND = _("No live campaign has this id.")

#: A page id: anything else is answered 422, never looked up (PostgreSQL's int is 32 bits).
CampaignId = Annotated[int, Path(ge=1, le=MAX_PAGE_ID)]

#: Renditions offered for every image, by name: front ends pick the size they need.
RENDITIONS = {
    "small": "max-480x480",
    "medium": "max-960x960",
    "large": "max-1600x1600",
    "wide": "fill-1600x700",
    "social": "fill-1200x630",
}


#: Wording an embedded form needs besides the campaign's own; {count} is the number.
FORM_TEXTS = {
    "counter": _("Actions so far: {count}"),  # no plural: it stays right as the count grows
    "goal": _("Goal: {goal}"),
    "required": _("required"),
    "sending": _("Sending…"),
    "invalid": _("Please correct the details marked below."),
    "failed": _("Your action could not be sent. Please check your connection and try again."),
    "error": _("Something went wrong on our side. Please try again in a few minutes."),
    "closed": _("This campaign is not taking actions now."),
    "confirm": _(
        "One more step: we have emailed you a link. Open it and press the button on the page "
        "to confirm; your action counts and is sent once you confirm."
    ),
}


def form_texts() -> dict[str, str]:
    return {key: str(text) for key, text in FORM_TEXTS.items()}


class RenditionSchema(Schema):
    url: str
    width: int
    height: int


class ImageSchema(Schema):
    id: int
    alt: str
    credit: str = ""
    width: int
    height: int
    renditions: dict[str, RenditionSchema]


class TargetSchema(Schema):
    """Whom the action writes to, as the page shows it (never the email address)."""

    salutation: str
    name: str


class ChoiceSchema(Schema):
    value: str
    label: str


class FormFieldSchema(Schema):
    name: str
    label: str
    type: str  # an <input> type, "select" or "textarea"
    required: bool
    help_text: str = ""
    max_length: int | None = None
    autocomplete: str | None = None
    initial: str | bool | None = None
    choices: list[ChoiceSchema] | None = None


class FormSetupSchema(Schema):
    """The action form exactly as the campaign's page builds it."""

    action_url: str
    fields: list[FormFieldSchema]
    consent_text: str  # empty: the form asks for no consent
    button_label: str
    privacy_note: str  # HTML
    texts: dict[str, str]  # the form's own wording, translated: see FORM_TEXTS


class RemovalSchema(Schema):
    """How many actions moderation took out of the count on a day, and why: never who."""

    day: date | None  # null: removed before days were recorded
    reason: Literal["rejected", "spam"]
    reason_label: str  # in the campaign's language
    count: int


class BreakdownSchema(Schema):
    """How `count` is made up: counted + gathered_elsewhere; the rest is not counted."""

    counted: int
    gathered_elsewhere: int  # the editors' offset (paper petitions, before launch)
    awaiting_confirmation: int
    removed: int
    removals: list[RemovalSchema]
    note: str  # the campaign's public note on how it counts


class AnswerSchema(Schema):
    """A target's published answer, in its own words (the same in every language)."""

    target: str
    received_at: datetime
    body: str
    document_url: str | None


class AnswersSchema(Schema):
    """Who has answered: `targets_answered` of `targets` (the campaign's own), and on a
    campaign that writes to representatives, `representative_share` per cent of the
    `representatives` written to."""

    targets: int
    targets_answered: int
    representatives: int
    representatives_answered: int
    representative_share: int | None
    answers: list[AnswerSchema]


def describe_answers(campaign, request) -> AnswersSchema:
    found = campaign.answers()
    return AnswersSchema(
        targets=found.targets,
        targets_answered=found.targets_answered,
        representatives=found.representatives,
        representatives_answered=found.representatives_answered,
        representative_share=found.representative_share,
        answers=[
            AnswerSchema(
                target=answer.target,
                received_at=answer.received_at,
                body=answer.body,
                document_url=request_url(request, answer.document_url)
                if answer.document_url
                else None,
            )
            for answer in found.answers
        ],
    )


class CounterSchema(Schema):
    count: int
    goal: int | None = None
    breakdown: BreakdownSchema | None = None  # null: the campaign does not publish it
    milestones: list[int] = []  # counts at which the targets are told how many wrote


def describe_counter(campaign) -> CounterSchema:
    tally = campaign.tally()
    return CounterSchema(
        count=tally["count"],
        goal=tally["goal"],
        breakdown=describe_breakdown(campaign),
        milestones=campaign.milestone_thresholds,
    )


def describe_breakdown(campaign) -> BreakdownSchema | None:
    parts = campaign.count_breakdown_shown()
    if parts is None:
        return None
    with translation.override(campaign.language):
        removals = [
            RemovalSchema(
                day=removal.day,
                reason=removal.reason,
                reason_label=removal.reason_label,
                count=removal.count,
            )
            for removal in parts.removals
        ]
    return BreakdownSchema(
        counted=parts.counted,
        gathered_elsewhere=parts.gathered_elsewhere,
        awaiting_confirmation=parts.awaiting_confirmation,
        removed=parts.removed,
        removals=removals,
        note=campaign.count_note,
    )


class BlockSchema(Schema):
    type: str
    id: str | None = None
    value: Any


def request_url(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def describe_image(image, request, credit: str = "") -> ImageSchema | None:
    if image is None:
        return None
    renditions = {}
    try:
        made = image.get_renditions(*RENDITIONS.values())
        for name, spec in RENDITIONS.items():
            if rendition := made.get(spec):
                renditions[name] = RenditionSchema(
                    url=request_url(request, rendition.url),
                    width=rendition.width,
                    height=rendition.height,
                )
    except SourceImageIOError:
        pass  # the file is missing: the image is described without renditions
    return ImageSchema(
        id=image.pk,
        alt=image.default_alt_text,
        credit=credit,
        width=image.width,
        height=image.height,
        renditions=renditions,
    )


def describe_block_value(block, value, request) -> Any:
    """A block's value as plain JSON, images with their renditions, rich text as HTML."""
    if isinstance(block, ImageChooserBlock):
        return describe_image(value, request)
    if isinstance(block, blocks.StructBlock):
        described = {
            name: describe_block_value(block.child_blocks[name], child, request)
            for name, child in value.items()
        }
        if isinstance(described.get("image"), ImageSchema) and value.get("credit"):
            described["image"].credit = value["credit"]
        return described
    if isinstance(block, blocks.ListBlock):
        return [describe_block_value(block.child_block, child, request) for child in value]
    if isinstance(block, blocks.StreamBlock):
        return describe_stream(value, request)
    if isinstance(value, RichText):
        return expand_db_html(value.source)
    return block.get_api_representation(value, context={"request": request})


def describe_stream(stream, request) -> list[BlockSchema]:
    return [
        BlockSchema(
            type=child.block_type,
            id=child.id,
            value=describe_block_value(child.block, child.value, request),
        )
        for child in stream
    ]


def _field_type(widget) -> str:
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    return getattr(widget, "input_type", "text")


def describe_form(form) -> list[FormFieldSchema]:
    """Each field of a bound-less SignatureForm, in order: what a front end must render."""
    described = []
    for name, field in form.fields.items():
        widget = field.widget
        initial = form.get_initial_for_field(field, name)
        choices = None
        if isinstance(widget, forms.Select):
            choices = [
                ChoiceSchema(value=str(value), label=str(label)) for value, label in field.choices
            ]
        described.append(
            FormFieldSchema(
                name=name,
                label=str(field.label or name),
                type="hidden" if widget.is_hidden else _field_type(widget),
                required=field.required,
                help_text=str(field.help_text or ""),
                max_length=getattr(field, "max_length", None),
                autocomplete=widget.attrs.get("autocomplete"),
                initial=initial if isinstance(initial, str | bool) else None,
                choices=choices,
            )
        )
    return described
