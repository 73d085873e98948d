from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    caption = blocks.CharBlock(required=False, max_length=250)
    credit = blocks.CharBlock(required=False, max_length=120, help_text=_("e.g. Photo by: NAME"))

    class Meta:
        icon = "image"
        template = "blocks/image_block.html"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False, max_length=120)

    class Meta:
        icon = "openquote"
        template = "blocks/quote_block.html"


class StoryBlock(blocks.StreamBlock):
    """The campaign's background story, composed by editors from these blocks."""

    heading = blocks.CharBlock(
        form_classname="title", icon="title", template="blocks/heading_block.html"
    )
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ol", "ul"], template="blocks/paragraph_block.html"
    )
    image = ImageBlock()
    quote = QuoteBlock()
