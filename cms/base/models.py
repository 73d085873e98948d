from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting, register_setting
from wagtail.models import Page

from .panels import scripts_panel


class LanguageSwitcherMixin:
    """A page's links to its live, public translations: the banner's language switcher
    (templates/campaigns/includes/languages.html) and the hreflang alternates."""

    def live_translations(self):
        """This page's other live, public translations, in the order of LANGUAGES."""
        order = [code for code, _name in settings.LANGUAGES]
        others = self.get_translations().live().public().select_related("locale")
        return sorted(
            others,
            key=lambda page: (
                order.index(page.locale.language_code)
                if page.locale.language_code in order
                else len(order),
                page.pk,
            ),
        )

    def translation_links(self, request) -> list[dict]:
        links = []
        for page in self.live_translations():
            url = page.get_url(request)
            if url:
                language = page.locale.language_code
                links.append(
                    {
                        "language": language,
                        "name": translation.get_language_info(language)["name_local"],
                        "url": url,
                        "full_url": request.build_absolute_uri(url),
                    }
                )
        return links


class CampaignListingMixin(LanguageSwitcherMixin):
    """A page listing campaigns (its own `campaigns()`) with the language switcher: the home
    page and the campaign index."""

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(
            campaigns=self.campaigns(),
            translations=self.translation_links(request),
            languages_label=_("This page in other languages"),
        )
        return context


class HomePage(CampaignListingMixin, Page):
    """The site root: a short introduction, then the live campaigns in the page's language."""

    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["campaigns.CampaignIndexPage"]
    max_count_per_parent = 1

    def campaigns(self) -> list:
        """The public campaigns of the campaign indexes below, open ones first: in this
        page's language, as the indexes of a translated home page are translations too."""
        found = []
        for index in self.get_children().live().public().specific():
            found += index.campaigns() if hasattr(index, "campaigns") else []
        return found


@register_setting(icon="site")
class OrganisationSettings(BaseSiteSetting):
    """Who runs the campaigns: shown in every page's banner and used as the sender."""

    name = models.CharField(
        _("organisation name"),
        max_length=120,
        default="Clarion",
        help_text=_(
            "Renaming the demo's organisation also removes the demo's logo, privacy policy "
            "and sender address."
        ),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown beside the name at the top of every page."),
    )
    privacy_policy_url = models.URLField(
        _("privacy policy URL"),
        blank=True,
        help_text=_("Linked from every page and from each action form's privacy note."),
    )
    favicon = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("browser icon"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "The small icon in browser tabs and bookmarks (/favicon.ico); a square picture "
            "works best. Empty: Clarion's icon."
        ),
    )
    from_email = models.EmailField(
        _("sender address"),
        blank=True,
        help_text=_("Emails to targets come from this address. Empty: the server's default."),
    )

    demo_branding = models.BooleanField(
        default=False,
        editable=False,
        help_text="Set by load_demo: the logo, privacy policy and sender are the demo's.",
    )

    head_scripts = models.TextField(
        _("scripts in every page's head"),
        blank=True,
        help_text=_("e.g. analytics. Each campaign can add its own after these."),
    )
    body_scripts = models.TextField(
        _("scripts at the end of every page"),
        blank=True,
        help_text=_("e.g. advertising pixels. Each campaign can add its own after these."),
    )

    # Every page shows the logo: fetch it with the settings, not in a second query.
    select_related = ["logo"]

    panels = [
        FieldPanel("name"),
        FieldPanel("logo"),
        FieldPanel("privacy_policy_url"),
        FieldPanel("favicon"),
        FieldPanel("from_email"),
        scripts_panel("head_scripts", "body_scripts"),
    ]

    def clean(self):
        super().clean()
        self._drop_demo_branding_on_rename()

    def _drop_demo_branding_on_rename(self):
        """Renamed, the demo's organisation becomes another: the logo, privacy policy and
        sender that load_demo gave it are the demo's, not this one's. What the editor
        changed in the same save is theirs and stays."""
        if not self.demo_branding or not self.pk:
            return
        demo = type(self).objects.get(pk=self.pk)
        if self.name == demo.name:
            return
        if self.logo_id == demo.logo_id:
            self.logo = None
        if self.privacy_policy_url == demo.privacy_policy_url:
            self.privacy_policy_url = ""
        if self.from_email == demo.from_email:
            self.from_email = ""
        self.demo_branding = False

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        permissions = [("edit_scripts", _("Can add and edit third-party scripts on any page"))]


@register_setting(icon="warning")
class SurgeMode(BaseGenericSetting):
    """The one switch for a viral surge (cms.base.surge): actions, letters and confirmation
    emails go on; what an action does not need waits. Only administrators may change it
    (the model's change permission, which no group is given)."""

    active = models.BooleanField(
        _("surge mode"),
        default=False,
        help_text=_(
            "While on: supporters' receipts and CRM webhooks wait until it is switched off "
            "(then they go within a few minutes), and the counter is recounted every 30 "
            "seconds instead of every few. Actions, letters to targets and confirmation "
            "emails are not delayed."
        ),
    )

    panels = [FieldPanel("active")]

    class Meta:
        verbose_name = _("surge mode")
        verbose_name_plural = _("surge mode")


class Heartbeat(models.Model):
    """When a periodic task last ran, by name: beat's schedule reached a worker."""

    name = models.CharField(max_length=50, primary_key=True)
    beat_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
