from functools import cached_property

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField


class SignatureQuerySet(models.QuerySet):
    def counted(self):
        return self.filter(status=Signature.Status.COUNTED)

    def removed(self):
        """Taken out of the count by moderation."""
        return self.filter(status__in=Signature.REMOVED)

    def for_campaign(self, campaign):
        return self.filter(campaign=campaign)


class Signature(models.Model):
    """One supporter's action on one campaign: a real row, unique per supporter and campaign."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending confirmation")
        COUNTED = "counted", _("counted")
        REJECTED = "rejected", _("rejected")
        SPAM = "spam", _("spam")

    # Indexed by the composite indexes that lead with it (Meta), not on its own.
    campaign = models.ForeignKey(
        "campaigns.CampaignPage",
        on_delete=models.PROTECT,
        related_name="signatures",
        db_index=False,
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"), max_length=254)
    email_key = models.CharField(
        max_length=254, editable=False, help_text=_("Normalised address for the duplicate check.")
    )
    country = CountryField(_("country"), blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    # The district whose representatives the letter goes to, when the postal code is
    # shared by several and the supporter chose (campaigns.representatives.by_district).
    district = models.CharField(_("district"), max_length=200, blank=True)
    # E.164 (+351210000000): CRMs and diallers take it as it is.
    phone = PhoneNumberField(_("phone number"), max_length=30, blank=True)
    # The supporter's own words, when the campaign allows them (see campaigns.letters).
    letter_subject = models.CharField(_("edited subject"), max_length=200, blank=True)
    letter_body = models.TextField(
        _("edited letter"), blank=True, help_text=_("Empty: the campaign's letter was sent as is.")
    )
    personal_note = models.TextField(_("personal note"), blank=True)
    consent = models.BooleanField(_("consent to hear from us"), default=False)
    # The consent record: the exact wording the supporter agreed to, and when.
    consent_text = models.TextField(_("consent wording"), blank=True, editable=False)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True, editable=False)
    # Where the action came from (insights.sources): cleaned and bounded, never personal.
    utm_source = models.CharField(_("utm_source"), max_length=100, blank=True, editable=False)
    utm_medium = models.CharField(_("utm_medium"), max_length=100, blank=True, editable=False)
    utm_campaign = models.CharField(_("utm_campaign"), max_length=100, blank=True, editable=False)
    referrer_domain = models.CharField(
        _("referring site"), max_length=253, blank=True, editable=False
    )
    partner_site = models.CharField(
        _("partner site"),
        max_length=253,
        blank=True,
        editable=False,
        help_text=_("The site whose page embedded the form."),
    )
    language = models.CharField(_("browser language"), max_length=3, blank=True, editable=False)
    # `campaign` is the campaign's source page, whichever translation the supporter acted
    # on (one count, one duplicate check); this is the translation's language, so that
    # emails and letters speak it and moderators can tell translations apart.
    page_language = models.CharField(
        _("page language"),
        max_length=12,
        blank=True,
        editable=False,
        help_text=_("The language of the campaign's page the action was taken on."),
    )
    ip_address = models.GenericIPAddressField(
        _("IP address"), null=True, blank=True, editable=False
    )
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.COUNTED)
    # When a moderator first took it out of the count (rejected or spam); cleared when
    # approved again. The public count breakdown shows removals per day from it, as numbers.
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("signed at"), auto_now_add=True, db_index=True)
    # The outbox mark: set once the follow-up work (confirmation email, or the deliveries
    # to targets) has been handed to the workers; the sweeper re-sends rows left unmarked.
    dispatched_at = models.DateTimeField(null=True, blank=True, editable=False)
    # While not dispatched: when the sweeper may re-enqueue it again (empty: GRACE after
    # `created_at`). Cleared on dispatch.
    dispatch_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    # While not dispatched because there is nobody to write to yet (the representative
    # found since unpublished, a postal code straddling districts none of which was chosen,
    # or nobody found): why, for staff (the Deliveries screen); the row is still tried
    # again, but it waits for the directory, not for a worker (services/backlog.py).
    # Cleared on dispatch.
    waits_for_representative = models.CharField(
        _("waits for a representative"),
        max_length=20,
        blank=True,
        default="",
        # In the table too: the code still running during a deploy inserts without it.
        db_default="",
        editable=False,
        choices=[
            ("unpublished", _("a representative found is unpublished or has no address")),
            ("choose", _("the postal code straddles districts and none was chosen")),
            ("nobody", _("no published representative found for the postal code")),
        ],
    )
    # The outbox mark of the supporter's own email (the confirmation link while pending,
    # the receipt once counted): when it is next expected to go out; empty once sent or
    # when none is owed. The sweeper re-sends those overdue.
    email_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The receipt goes once, however often a moderator rejects and approves the action again.
    receipt_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A repeat while pending replaces the details and owes a fresh confirmation link; only
    # the link carrying the current number confirms (see services.confirmation).
    link_version = models.PositiveIntegerField(default=0, editable=False)
    # When the next link would be due if links went out at the steady pace: links beyond
    # what the pace allows wait (services.confirmation.LINK_INTERVAL).
    links_paced_until = models.DateTimeField(null=True, blank=True, editable=False)

    #: The statuses a moderator takes an action out of the count with.
    REMOVED = (Status.REJECTED, Status.SPAM)

    objects = SignatureQuerySet.as_manager()

    # Not content: keep Wagtail's reference index (a SELECT and an INSERT per save) away
    # from the hot path.
    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "email_key"], name="one_signature_per_supporter"
            )
        ]
        indexes = [
            models.Index(fields=["campaign", "status"], name="signature_campaign_status"),
            # Moderation filters and their default order (newest first) on a million rows.
            models.Index(fields=["status", "created_at"], name="signature_status_created"),
            models.Index(fields=["campaign", "created_at"], name="signature_campaign_created"),
            # Leading column for the used-countries scan; with status, counts by index only.
            models.Index(fields=["country", "status"], name="signature_country_status"),
            models.Index(fields=["ip_address"], name="signature_ip_address"),
            # A supporter's other actions: erasure, subject access, first-time or returning.
            models.Index(fields=["email_key", "created_at"], name="signature_email_key"),
            # The outbox sweeper's query: the few rows not handed to the workers yet.
            models.Index(
                fields=["created_at"],
                condition=models.Q(dispatched_at__isnull=True),
                name="signature_undispatched",
            ),
            models.Index(
                fields=["email_due_at"],
                condition=models.Q(email_due_at__isnull=False),
                name="signature_email_due",
            ),
        ]
        permissions = [
            ("moderate_signature", _("Can approve, reject and invalidate signatures")),
            ("export_signature", _("Can export signatures and answer data requests")),
            ("view_statistics", _("Can see campaigns' statistics (counts, no supporter)")),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    @cached_property
    def page(self):
        """The translation of the campaign the supporter acted on (its source if that
        translation is gone): the texts of their emails and of their letter."""
        return self.campaign.in_language(self.page_language)

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"
