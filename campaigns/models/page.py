from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from ..blocks import StoryBlock


class CampaignIndexPage(Page):
    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage", "wagtailcore.Page"]
    subpage_types = ["campaigns.CampaignPage"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["campaigns"] = CampaignPage.objects.child_of(self).live().specific()
        return context


class CampaignPage(RoutablePageMixin, Page):
    lead = models.CharField(_("lead"), max_length=300, help_text=_("One line under the title."))
    hero_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hero_credit = models.CharField(
        _("photo credit"), max_length=120, blank=True, help_text=_("e.g. Photo by: NAME @handle")
    )
    body = StreamField(StoryBlock(), blank=True, verbose_name=_("story"))

    ask = models.CharField(
        _("the ask"),
        max_length=250,
        help_text=_('The form\'s heading, e.g. "Urge the government to …"'),
    )
    message_subject = models.CharField(_("message subject"), max_length=200)
    message_body = models.TextField(_("message body"))
    consent_text = models.CharField(
        _("consent text"),
        max_length=300,
        default=_("Keep me informed about this and other campaigns."),
    )
    privacy_note = RichTextField(
        _("privacy note"),
        features=["bold", "italic", "link"],
        blank=True,
        default=_(
            "Taking action sends an email to the target that includes your email address. "
            "Your other details are processed under our privacy policy."
        ),
    )
    counter_offset = models.PositiveIntegerField(
        _("counter offset"),
        default=0,
        validators=[MaxValueValidator(100_000_000)],
        help_text=_(
            "Actions gathered elsewhere (paper petitions, before launch): added to the count."
        ),
    )
    thank_you_message = models.TextField(
        _("thank-you message"), default=_("Thank you! Your message is on its way.")
    )

    content_panels = Page.content_panels + [
        FieldPanel("lead"),
        MultiFieldPanel([FieldPanel("hero_image"), FieldPanel("hero_credit")], heading=_("Hero")),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("ask"),
                InlinePanel("campaign_targets", label=_("Targets"), min_num=1),
                FieldPanel("message_subject"),
                FieldPanel("message_body"),
                FieldPanel("consent_text"),
                FieldPanel("privacy_note"),
                FieldPanel("counter_offset"),
            ],
            heading=_("Action"),
        ),
        FieldPanel("thank_you_message"),
    ]
    search_fields = Page.search_fields + [index.SearchField("lead"), index.SearchField("body")]
    parent_page_types = ["campaigns.CampaignIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("campaign page")

    @property
    def targets(self):
        return [link.target for link in self.campaign_targets.select_related("target")]

    def action_count(self):
        from signatures.counter import displayed_count

        return displayed_count(self)

    def get_context(self, request, *args, **kwargs):
        from signatures.forms import SignatureForm

        context = super().get_context(request, *args, **kwargs)
        context.setdefault("form", SignatureForm(campaign=self))
        context["count"] = self.action_count()
        return context

    @path("thank-you/")
    def thank_you(self, request):
        return self.render(request, template="campaigns/thank_you.html")
