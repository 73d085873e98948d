"""The blocks editors compose a campaign's story from; each renders with its own template."""

from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.embeds.embeds import get_embed
from wagtail.embeds.exceptions import EmbedException
from wagtail.images.blocks import ImageChooserBlock

from .video import is_video_address, player_address

TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class HeadingBlock(blocks.CharBlock):
    class Meta:
        icon = "title"
        form_classname = "title"
        template = "blocks/heading_block.html"
        help_text = _("A sub-heading that splits the story into sections.")


class ParagraphBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        super().__init__(features=TEXT_FEATURES, **kwargs)

    class Meta:
        icon = "pilcrow"
        template = "blocks/paragraph_block.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=capfirst(_("image")))
    alt_text = blocks.CharBlock(
        required=False,
        max_length=250,
        label=capfirst(_("description for screen readers")),
        help_text=_("What the picture shows. Leave empty if it is only decoration."),
    )
    caption = blocks.CharBlock(required=False, max_length=250, label=capfirst(_("caption")))
    credit = blocks.CharBlock(
        required=False,
        max_length=120,
        label=capfirst(_("credit")),
        help_text=_("e.g. Photo by: NAME"),
    )

    class Meta:
        icon = "image"
        template = "blocks/image_block.html"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=capfirst(_("quote")))
    attribution = blocks.CharBlock(
        required=False,
        max_length=120,
        label=capfirst(_("who said it")),
        help_text=_("e.g. Ana, Mara's sister"),
    )

    class Meta:
        icon = "openquote"
        template = "blocks/quote_block.html"


class VideoEmbedBlock(EmbedBlock):
    """A YouTube or Vimeo address; any other is refused with a message (see video.py)."""

    def clean(self, value):
        if value and not is_video_address(value.url):
            raise ValidationError(
                _(
                    "Only YouTube and Vimeo videos can be shown: paste the address of the "
                    "video's page on youtube.com or vimeo.com. Other embeds could run "
                    "third-party scripts on the campaign page."
                )
            )
        return super().clean(value)


class VideoBlock(blocks.StructBlock):
    video = VideoEmbedBlock(
        label=capfirst(_("video link")),
        help_text=_("Paste the address of the video page: a YouTube or Vimeo link."),
    )
    caption = blocks.CharBlock(required=False, max_length=250, label=capfirst(_("caption")))

    def get_context(self, value, parent_context=None):
        """`player`: the provider's player address and its title and size, or None (the
        template then links to the video)."""
        context = super().get_context(value, parent_context)
        context["player"] = None
        if value["video"]:
            try:
                embed = get_embed(value["video"].url)
            except EmbedException:
                return context
            if address := player_address(embed.html):
                context["player"] = {
                    "address": address,
                    "title": embed.title,
                    "width": embed.width,
                    "height": embed.height,
                }
        return context

    class Meta:
        icon = "media"
        template = "blocks/video_block.html"


class CallOutBlock(blocks.StructBlock):
    """A boxed message that stands out from the story: the demand, a date, a number."""

    title = blocks.CharBlock(max_length=120, label=capfirst(_("title")))
    text = blocks.RichTextBlock(features=["bold", "italic", "link"], label=capfirst(_("text")))
    link_url = blocks.URLBlock(required=False, label=capfirst(_("link address")))
    link_label = blocks.CharBlock(
        required=False,
        max_length=60,
        label=capfirst(_("link text")),
        help_text=_("e.g. Read the report"),
    )

    class Meta:
        icon = "warning"
        template = "blocks/call_out_block.html"


class TwoColumnBlock(blocks.StructBlock):
    """Text beside an image on a wide screen; the image comes after the text on a phone."""

    text = blocks.RichTextBlock(features=TEXT_FEATURES, label=capfirst(_("text")))
    image = ImageChooserBlock(label=capfirst(_("image")))
    alt_text = blocks.CharBlock(
        required=False, max_length=250, label=capfirst(_("description for screen readers"))
    )
    caption = blocks.CharBlock(required=False, max_length=250, label=capfirst(_("caption")))
    image_side = blocks.ChoiceBlock(
        choices=[("right", _("Image on the right")), ("left", _("Image on the left"))],
        default="right",
        label=capfirst(_("image side")),
    )

    class Meta:
        icon = "doc-full"
        template = "blocks/two_column_block.html"
        label = _("Text and image")


class StoryBlock(blocks.StreamBlock):
    """The campaign's background story, composed by editors from these blocks."""

    heading = HeadingBlock(label=_("Heading"))
    paragraph = ParagraphBlock(label=_("Text"))
    image = ImageBlock(label=_("Image"))
    quote = QuoteBlock(label=_("Quote"))
    video = VideoBlock(label=_("Video"))
    call_out = CallOutBlock(label=_("Call-out"))
    two_columns = TwoColumnBlock(label=_("Text and image"))
