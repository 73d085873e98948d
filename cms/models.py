from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Page

from .panels import scripts_panel


class HomePage(Page):
    """The site root: a short introduction above the campaign index."""

    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["campaigns.CampaignIndexPage"]
    max_count_per_parent = 1


@register_setting(icon="site")
class OrganisationSettings(BaseSiteSetting):
    """Who runs the campaigns: shown in every page's banner and used as the sender."""

    name = models.CharField(_("organisation name"), max_length=120, default="Clarion")
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
    from_email = models.EmailField(
        _("sender address"),
        blank=True,
        help_text=_("Emails to targets come from this address. Empty: the server's default."),
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
        FieldPanel("from_email"),
        scripts_panel("head_scripts", "body_scripts"),
    ]

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        permissions = [("edit_scripts", _("Can add and edit third-party scripts on any page"))]


class Heartbeat(models.Model):
    """When a periodic task last ran, by name: beat's schedule reached a worker."""

    name = models.CharField(max_length=50, primary_key=True)
    beat_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
