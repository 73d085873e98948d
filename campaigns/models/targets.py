from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel
from wagtail.models import DraftStateMixin, LockableMixin, Orderable, RevisionMixin
from wagtail.search import index
from wagtail.snippets.models import register_snippet


class Target(DraftStateMixin, LockableMixin, RevisionMixin, index.Indexed, models.Model):
    """Who an action writes to. The email address is never shown on the page.

    Where supporters' letters go is guarded like publishing: an edit is a draft (a revision)
    until someone with the "publish target" permission publishes it, and until then the row
    keeps the approved (live) details that letters, the page and the API use. A target never
    published (`live` False) receives no letters at all.
    """

    salutation = models.CharField(
        _("salutation"), max_length=80, blank=True, help_text=_('Title line, e.g. "The Hon."')
    )
    name = models.CharField(_("name or office"), max_length=200)
    email = models.EmailField(
        _("email"),
        blank=True,
        help_text=_(
            "Never shown to supporters. May stay empty while you prepare a campaign, "
            "which can be published only once each of its targets has an address."
        ),
    )
    country = CountryField(
        _("country"), blank=True, help_text=_("Optional: where the target is based.")
    )
    max_per_minute = models.PositiveIntegerField(
        _("emails per minute"),
        null=True,
        blank=True,
        help_text=_(
            "At most this many action emails a minute reach this target; the rest wait. "
            "Empty: the site's default."
        ),
    )

    # A representative (models.directories): a target of a directory, found for each
    # supporter from their postal code rather than chosen by the campaign.
    directory = models.ForeignKey(
        "campaigns.Directory",
        verbose_name=_("directory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="representatives",
        help_text=_("Empty for a campaign's own targets; set for a directory's representatives."),
    )
    district = models.CharField(_("district"), max_length=200, blank=True)
    party = models.CharField(_("party"), max_length=200, blank=True)
    language = models.CharField(
        _("language"), max_length=12, blank=True, help_text=_("e.g. en, fr: optional.")
    )

    # In every reply link the target's letters carry (signatures.services.replies): one
    # more revokes them all, and later letters carry links with the new number.
    reply_link_version = models.PositiveIntegerField(default=0, editable=False)

    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="target")

    panels = [
        FieldPanel("salutation"),
        FieldPanel("name"),
        FieldPanel("email"),
        FieldPanel("country"),
        FieldPanel("max_per_minute"),
        # Only moderators (and imports) put a target into a directory, where postal codes
        # lead to it: an Editor's draft there would shadow a representative.
        FieldPanel("directory", permission="campaigns.publish_target"),
        FieldPanel("district"),
        FieldPanel("party"),
        FieldPanel("language"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            # How an import recognises a representative it already has.
            models.UniqueConstraint(
                fields=["directory", "name", "district"],
                condition=models.Q(directory__isnull=False),
                name="one_representative_per_district",
                violation_error_message=_(
                    "This directory already has a representative with this name and district."
                ),
            )
        ]

    def __str__(self):
        return f"{self.salutation} {self.name}".strip()

    @property
    def revisions(self):
        # Through the relation, so a target's revisions go when the target is deleted.
        return self._revisions


# With the admin's screens for it, whose chooser can create a (draft) target.
register_snippet(Target, viewset="campaigns.target_admin.TargetViewSet")


class CampaignTarget(Orderable):
    campaign = ParentalKey(
        "campaigns.CampaignPage", on_delete=models.CASCADE, related_name="campaign_targets"
    )
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="+")

    panels = [FieldPanel("target")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "target"], name="unique_target_per_campaign"
            )
        ]
