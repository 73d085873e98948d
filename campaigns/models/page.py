from collections import namedtuple
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q, prefetch_related_objects
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.blocks import StreamValue, StructValue
from wagtail.blocks.list_block import ListValue
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.images.models import AbstractImage
from wagtail.models import Page, PageManager, PageViewRestriction
from wagtail.query import PageQuerySet
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField

from cms.base.headless import HeadlessPreviewable
from cms.base.models import LanguageSwitcherMixin

from .. import page_parts, sharing
from ..blocks import StoryBlock
from ..forms import CampaignPageForm
from ..letters import letter_preview, refuse_unknown_placeholders
from ..progress import goal_for, parse_milestones
from . import page_panels
from .fields import LetterField

NextStep = namedtuple("NextStep", "label url")
#: What all translations of a campaign share, read from its source page: the id every
#: action is recorded against (so one count and one duplicate check), the offset and goal.
CounterSource = namedtuple("CounterSource", "pk counter_offset counter_goal")
#: The page's own third-party scripts (after the site-wide ones), as served.
Scripts = namedtuple("Scripts", "head body")

#: Page ids are 32-bit: a larger one names no page (and some databases refuse to look).
MAX_PAGE_ID = 2**31 - 1


def validate_milestones(text: str) -> None:
    try:
        parse_milestones(text)
    except ValueError as error:
        raise ValidationError(
            _("“%(part)s” is not a whole number above zero. Separate milestones with semicolons.")
            % {"part": error.args[0]}
        ) from None


def content_languages():
    """The languages a campaign may be written in (settings.LANGUAGES, from the environment).

    Kept for migration 0004, which made `language` a field; a campaign's language is now its
    page's locale (migration campaign_language_becomes_page_locale)."""
    return settings.LANGUAGES


def default_language():
    return settings.LANGUAGE_CODE


def images_in(value) -> list:
    """The images in a block's value: a stream, a struct, a list, or an image itself."""
    if isinstance(value, AbstractImage):
        return [value]
    if isinstance(value, StreamValue):
        return [image for block in value for image in images_in(block.value)]
    if isinstance(value, StructValue):
        return [image for child in value.values() for image in images_in(child)]
    if isinstance(value, ListValue):
        return [image for child in value for image in images_in(child)]
    return []


class SupporterField(models.TextChoices):
    """Whether the action form shows one of the supporter's optional details."""

    HIDDEN = "hidden", _("Not asked")
    OPTIONAL = "optional", _("Asked, optional")
    REQUIRED = "required", _("Asked, required")


class Targeting(models.TextChoices):
    """Who a campaign's letters go to."""

    FIXED = "fixed", _("Its own targets")
    REPRESENTATIVE = "representative", _("The supporter's representatives, from their postal code")
    BOTH = "both", _("Both: its own targets and the supporter's representatives")


def awaiting_approval_note(targets) -> str:
    """What each preview says of the campaign's targets awaiting approval ("" for none)."""
    if not targets:
        return ""
    return ngettext(
        "%(targets)s awaits approval: no letter reaches it until a moderator who may "
        "publish targets approves this campaign, which publishes it.",
        "%(targets)s await approval: no letter reaches them until a moderator who may "
        "publish targets approves this campaign, which publishes them.",
        len(targets),
    ) % {"targets": ", ".join(str(target) for target in targets)}


class CampaignPageQuerySet(PageQuerySet):
    def private_q(self):
        """Wagtail's private pages (behind a restriction on them or an ancestor), and every
        translation of a campaign that has one such page: a campaign behind a password,
        a login or a group is so in every language. public() and not_public() use this."""
        private = super().private_q()
        return private | Q(
            translation_key__in=Page.objects.filter(private).values("translation_key")
        )


class CampaignPage(LanguageSwitcherMixin, HeadlessPreviewable, RoutablePageMixin, Page):
    # Story
    lead = models.CharField(_("lead"), max_length=300, help_text=_("One line under the title."))
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("hero image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A large picture at the top of the page; wide pictures work best."),
    )
    hero_credit = models.CharField(
        _("photo credit"), max_length=120, blank=True, help_text=_("e.g. Photo by: NAME @handle")
    )
    body = StreamField(StoryBlock(), blank=True, verbose_name=_("story"))

    # Action: the ask and the letter
    ask = models.CharField(
        _("the ask"),
        max_length=250,
        help_text=_('The form\'s heading, e.g. "Urge the government to …"'),
    )
    message_subject = models.CharField(
        _("message subject"),
        max_length=200,
        help_text=_(
            "{first_name}, {last_name}, {country}, {postal_code}, {target_salutation} and "
            "{target_name} are filled in."
        ),
    )
    message_body = LetterField(
        _("message body"),
        help_text=_(
            "The letter each target receives. {first_name}, {last_name}, {country} and "
            "{postal_code} are replaced with the supporter's details, {target_salutation} "
            "and {target_name} with the recipient's (each target or representative receives "
            "its own letter); the supporter's name and place are added below the letter."
        ),
    )
    letter_editable = models.BooleanField(
        _("supporters may edit the letter"),
        default=True,
        help_text=_("Untick to send your letter exactly as written."),
    )
    personal_note_limit = models.PositiveSmallIntegerField(
        _("personal note length"),
        default=500,
        validators=[MaxValueValidator(2000)],
        help_text=_(
            "Supporters may add a personal note of up to this many characters, sent with the "
            "letter. 0 hides the personal note."
        ),
    )

    # Action: who the letters go to
    targeting = models.CharField(
        _("letters go to"), max_length=16, choices=Targeting.choices, default=Targeting.FIXED
    )
    directory = models.ForeignKey(
        "campaigns.Directory",
        verbose_name=_("directory of representatives"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "Where each supporter's representatives are found from their postal code, which "
            "the form then asks for."
        ),
    )

    # Action: the form
    country_field = models.CharField(
        _("country"), max_length=10, choices=SupporterField.choices, default="optional"
    )
    postal_code_field = models.CharField(
        _("postal code"), max_length=10, choices=SupporterField.choices, default="optional"
    )
    phone_field = models.CharField(
        _("phone number"), max_length=10, choices=SupporterField.choices, default="hidden"
    )
    consent_text = models.CharField(
        _("consent text"),
        max_length=300,
        blank=True,
        # What a supporter agrees to: this campaign's updates (staff news and targets'
        # answers, services/updates.py), which the checkbox must say.
        default=_(
            "Email me news of this campaign, including the targets' answers (one click "
            "unsubscribes), and keep me informed about other campaigns."
        ),
        help_text=_("The checkbox to hear from your organisation. Empty: no checkbox."),
    )
    button_label = models.CharField(_("button label"), max_length=60, default=_("Send my message"))
    privacy_note = RichTextField(
        _("privacy note"),
        features=["bold", "italic", "link"],
        blank=True,
        default=_(
            "Taking action sends an email to the target that includes your email address. "
            "Your other details are processed under our privacy policy."
        ),
    )

    # Action: the counter
    counter_offset = models.PositiveIntegerField(
        _("counter offset"),
        default=0,
        validators=[MaxValueValidator(100_000_000)],
        help_text=_(
            "Actions gathered elsewhere (paper petitions, before launch): added to the count."
        ),
    )
    counter_goal = models.PositiveIntegerField(
        _("goal"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(1_000_000_000)],
        help_text=_(
            "Shown with a progress bar. Empty: the next round number above the count "
            "(100, 250, 500, 1,000 …)."
        ),
    )

    milestones = models.CharField(
        _("milestones"),
        max_length=200,
        blank=True,
        validators=[validate_milestones],
        help_text=_(
            'Counts that, once reached, tell you and send each target one message "N people '
            'have now written to you", e.g. "1,000; 10,000". Separate them with semicolons.'
        ),
    )
    count_breakdown = models.BooleanField(
        _("show how the count is made up"),
        default=False,
        help_text=_(
            "Under the count, anyone can open the actions that count, those waiting for "
            "their supporter to confirm by email, and those removed by moderation (numbers "
            "per day and reason, never names). Also in the API."
        ),
    )
    count_note = models.TextField(
        _("how the count is made"),
        max_length=600,
        blank=True,
        help_text=_(
            'A short public note with the breakdown, e.g. "Each email address counts once; '
            'we remove actions from disposable addresses and automated sign-ups."'
        ),
    )

    # Action: confirmation and delivery (signatures app)
    confirmation_required = models.BooleanField(
        _("ask supporters to confirm by email"),
        default=False,
        help_text=_(
            "Double opt-in: an action counts and is sent only after the supporter confirms "
            "through a link emailed to them."
        ),
    )
    send_receipt = models.BooleanField(
        _("email supporters a receipt"),
        default=False,
        help_text=_("Once an action counts, the supporter receives a thank-you email."),
    )
    digest_minutes = models.PositiveIntegerField(
        _("send targets"),
        choices=[
            (0, _("one email per action")),
            (60, _("one email an hour listing the actions")),
            (24 * 60, _("one email a day listing the actions")),
        ],
        default=0,
        help_text=_("A digest suits targets whose mail servers block many emails."),
    )

    reply_links = models.BooleanField(
        _("targets may answer through a private link"),
        default=True,
        help_text=_(
            'Each letter and digest ends with "Answer the N people who wrote to you" and a '
            "link for that target only; answers wait for a moderator, who publishes them on "
            "the page."
        ),
    )

    # Thank-you
    thank_you_message = models.TextField(
        _("thank-you message"), default=_("Thank you! Your message is on its way.")
    )
    share_text = models.CharField(
        _("share text"),
        max_length=240,
        blank=True,
        help_text=_(
            "What a supporter's friends read when they share the campaign, e.g. "
            '"I just wrote to the minister. Will you?" Empty: the lead.'
        ),
    )
    next_step_label = models.CharField(
        _("next step button"), max_length=80, blank=True, help_text=_('e.g. "Donate now"')
    )
    next_step_url = models.URLField(
        _("next step link"), blank=True, help_text=_("Where the next step button leads.")
    )

    # Settings
    social_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("social media image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown when the page is shared on social media. Empty: the hero image."),
    )
    opens_at = models.DateTimeField(
        _("opens"), null=True, blank=True, help_text=_("Empty: open as soon as published.")
    )
    closes_at = models.DateTimeField(
        _("closes"),
        null=True,
        blank=True,
        help_text=_(
            "After this, the page still shows the story and the final count, but no more "
            "actions are taken. Empty: open until you set a date."
        ),
    )
    closed_message = models.TextField(
        _("closed message"),
        default=_("This campaign has closed. Thank you to everyone who took action."),
        help_text=_("Shown instead of the form once the campaign has closed."),
    )
    head_scripts = models.TextField(
        _("scripts in the page head"),
        blank=True,
        help_text=_("Added to this page only, after the site-wide scripts."),
    )
    body_scripts = models.TextField(
        _("scripts at the end of the page"),
        blank=True,
        help_text=_("Added to this page only, after the site-wide scripts."),
    )

    objects = PageManager.from_queryset(CampaignPageQuerySet)()

    edit_handler = page_panels.campaign_edit_handler()
    # Scripts are not words to translate: wagtail-localize copies the source's into each
    # translation and offers nobody a segment or an override of them (a translator without
    # the scripts permission could otherwise put any script on the page). What a page
    # serves is its source's anyway (`scripts`).
    override_translatable_fields = [
        SynchronizedField("head_scripts", overridable=False),
        SynchronizedField("body_scripts", overridable=False),
    ]
    base_form_class = CampaignPageForm
    search_fields = Page.search_fields + [index.SearchField("lead"), index.SearchField("body")]
    parent_page_types = ["campaigns.CampaignIndexPage"]
    subpage_types = []
    #: What supporters and targets receive by email, written for a sample supporter.
    EMAIL_PREVIEW_MODES = [
        ("letter", _("Letter to a target")),
        ("confirmation-email", _("Confirmation email")),
        ("receipt", _("Receipt email")),
    ]
    #: Writes those emails (signatures.services.previews.preview), set at start-up by
    #: signatures/apps.py: a model never imports a service (docs/architecture.md).
    email_previewer = None
    preview_modes = [
        ("", _("Campaign page")),
        ("thank-you", _("Thank-you page")),
        *EMAIL_PREVIEW_MODES,
    ]

    class Meta:
        verbose_name = _("campaign page")
        verbose_name_plural = _("campaign pages")

    def clean(self):
        super().clean()
        self._refuse_unknown_placeholders()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The campaign must close after it opens.")})
        if self.slug.isdigit():
            # /act/<number>/ is the action form's address: the page could not be opened.
            raise ValidationError(
                {"slug": _("Add a word to this address: one made of digits only is taken.")}
            )
        if self.writes_to_representatives:
            if not self.directory_id:
                raise ValidationError(
                    {"directory": _("Choose the directory the representatives are found in.")}
                )
            # Representatives are found from it: the form must ask for it.
            self.postal_code_field = SupporterField.REQUIRED

    #: The letter's fields, checked in every language, however saved (the editor's form,
    #: wagtail-localize's translation editor, a sync).
    LETTER_FIELDS = ("message_subject", "message_body")

    def _refuse_unknown_placeholders(self):
        errors = {}
        for name in self.LETTER_FIELDS:
            try:
                refuse_unknown_placeholders(getattr(self, name))
            except ValidationError as error:
                errors[name] = error
        if errors:
            raise ValidationError(errors)

    @property
    def writes_to_representatives(self) -> bool:
        return self.targeting != Targeting.FIXED

    @property
    def writes_to_fixed_targets(self) -> bool:
        return self.targeting != Targeting.REPRESENTATIVE

    @property
    def targets(self):
        """Where this campaign's letters go: its approved targets, as approved (for each
        supporter's representatives, see campaigns.representatives)."""
        if self._kept is not None:
            return self._kept["targets"]
        if not self.writes_to_fixed_targets:
            return []
        return [
            link.target
            for link in self.campaign_targets.select_related("target")
            if link.target.live
        ]

    @property
    def targets_awaiting_approval(self) -> list:
        """This campaign's targets never published yet (those an editor created are drafts),
        as their latest draft: no letter reaches them until someone who may publish targets
        publishes them, as approving or publishing the campaign does for such a person
        (signatures.services.target_approval)."""
        if not self.writes_to_fixed_targets:
            return []
        return [
            link.target.get_latest_revision_as_object()
            for link in self.campaign_targets.select_related("target")
            if not link.target.live
        ]

    def targets_as_previewed(self) -> tuple[list, list]:
        """(targets, awaiting): what every preview shows as the campaign's targets, the
        approved ones and those awaiting approval (which approving the campaign publishes),
        and the latter, which each preview says await approval (awaiting_approval_note)."""
        awaiting = self.targets_awaiting_approval
        return [*self.targets, *awaiting], awaiting

    def is_open(self, at=None) -> bool:
        return not self.not_yet_open(at) and not self.has_closed(at)

    def not_yet_open(self, at=None) -> bool:
        return bool(self.opens_at and (at or timezone.now()) < self.opens_at)

    def has_closed(self, at=None) -> bool:
        return bool(self.closes_at and (at or timezone.now()) >= self.closes_at)

    def next_change(self, at=None):
        """When the campaign next opens or closes, or None if neither is ahead."""
        at = at or timezone.now()
        return min(
            (when for when in (self.opens_at, self.closes_at) if when and when > at), default=None
        )

    def refusal_message(self):
        """Why no action is taken now, or None while the campaign is open."""
        if self.has_closed():
            return self.closed_message
        if self.not_yet_open():
            return _("This campaign is not open yet.")
        return None

    @cached_property
    def counter_source(self) -> CounterSource:
        """The campaign's source page among its translations: the first created (the one
        editors translate from). Actions on every translation are recorded against it, and
        its offset and goal are the ones shown, so all translations show one count.

        One indexed query per page object; the action routes keep page objects for a moment
        (signatures.caching.live_campaigns), the page cache keeps rendered pages."""
        if self.pk is None:  # the preview of a page never saved
            return CounterSource(None, self.counter_offset, self.counter_goal)
        first = (
            CampaignPage.objects.filter(translation_key=self.translation_key)
            .order_by("pk")
            .values_list("pk", "counter_offset", "counter_goal")
            .first()
        )
        if first is None or first[0] == self.pk:
            return CounterSource(self.pk, self.counter_offset, self.counter_goal)
        return CounterSource(*first)

    @cached_property
    def scripts(self) -> Scripts:
        """The scripts this page serves: its own on the source, the source's on every
        translation, whatever the translation's row holds (written before scripts followed
        the source, or by anyone but the holders of the scripts permission)."""
        source = self.counter_source.pk
        if source is None or source == self.pk:
            return Scripts(self.head_scripts, self.body_scripts)
        kept = CampaignPage.objects.filter(pk=source).values_list("head_scripts", "body_scripts")
        return Scripts(*kept.get())

    def in_language(self, language_code: str):
        """This campaign's translation in that language, or this page if it has none."""
        if not language_code or language_code == self.language:
            return self
        translation = (
            CampaignPage.objects.filter(
                translation_key=self.translation_key, locale__language_code=language_code
            )
            .select_related("locale")
            .first()
        )
        return translation or self

    def live_translations(self):
        """The campaign's other live, public translations, in the order of LANGUAGES."""
        if self._kept is not None:
            return self._kept["translations"]
        order = [code for code, _name in settings.LANGUAGES]
        others = (
            CampaignPage.objects.live()
            .public()
            .filter(translation_key=self.translation_key)
            .exclude(pk=self.pk)
            .select_related("locale")
        )
        return sorted(
            others,
            key=lambda page: (
                order.index(page.language) if page.language in order else len(order),
                page.pk,
            ),
        )

    #: What keep_for_serving worked out, on a published page kept between requests; None on
    #: every other page object, which reads all of it afresh.
    _kept = None

    def keep_for_serving(self) -> None:
        """Work out once what showing this page reads besides its own row: its view
        restrictions, its live translations, the source of its counter, its locale, its
        pictures and its story's blocks (with their images).

        For a published page that one process keeps and serves to many requests
        (signatures.caching.published_pages), which drops it whenever any of these may have
        changed. What depends on the request or the clock (whether a visitor passes a
        restriction, the count, whether the campaign is open) is still worked out on each.
        """
        kept = {
            "view_restrictions": list(self._campaign_view_restrictions()),
            "translations": self.live_translations(),
            "targets": self.targets,
        }
        self.counter_source  # noqa: B018 - cached on the object
        self.scripts  # noqa: B018
        self.locale  # noqa: B018
        # The pictures with their renditions: the image tags then find them on the image
        # (a rendition not made yet is made and added, as Wagtail does), not in the cache.
        images = [image for image in (self.hero_image, self.social_image) if image]
        images += images_in(self.body)  # loads each block's value (images in bulk) once
        prefetch_related_objects(images, "renditions")
        self._kept = kept

    def get_view_restrictions(self):
        """The restrictions on every translation of the campaign and their ancestors (in
        whichever locale), or the list kept by keep_for_serving. Each request's right to see
        the page, or to act on it, is checked against them (Wagtail's
        check_view_restrictions hook, signatures.views)."""
        if self._kept is not None:
            return self._kept["view_restrictions"]
        return self._campaign_view_restrictions()

    def _campaign_view_restrictions(self):
        """Wagtail's restrictions on this page and its ancestors, and those on each of its
        translations and theirs (the ancestors are the prefixes of the paths), each kind
        once: wagtail-localize copies a page's restriction to its translations, and the
        same password must not be asked twice."""
        own = super().get_view_restrictions()
        if self.pk is None:
            return own
        paths = CampaignPage.objects.filter(translation_key=self.translation_key).values_list(
            "path", flat=True
        )
        ancestors = {
            path[:end] for path in paths for end in range(self.steplen, len(path) + 1, self.steplen)
        }
        found = PageViewRestriction.objects.filter(Q(pk__in=own) | Q(page__path__in=ancestors))
        restrictions = list(found.order_by("pk").prefetch_related("groups"))
        if len(restrictions) < 2:
            return found
        # The first of each kind: whoever passed it (the password given on any translation)
        # passes it on every one.
        first = {}
        for restriction in restrictions:
            groups = frozenset(group.pk for group in restriction.groups.all())
            first.setdefault(
                (restriction.restriction_type, restriction.password, groups), restriction.pk
            )
        return PageViewRestriction.objects.filter(pk__in=first.values()).order_by("pk")

    def action_count(self):
        return page_parts.provided(page_parts.ACTION_COUNT)(self)

    def tally(self):
        """The counter as shown: the count, the goal it works towards, whether open or closed.
        Every translation shows its source's: one count, one goal."""
        count = self.action_count()
        goal = goal_for(count, self.counter_source.counter_goal)
        return {
            "count": count,
            "goal": goal,
            "progress": min(count, goal),
            "open": self.is_open(),
            "closed": self.has_closed(),  # neither open nor closed: not open yet
        }

    @property
    def milestone_thresholds(self) -> list[int]:
        """The editors' milestones, as numbers (every translation uses its source's)."""
        try:
            return parse_milestones(self.milestones)
        except ValueError:  # saved before validation: ignored, never an error in a worker
            return []

    def answers(self):
        """The targets' published answers, and who has answered (signatures.answers)."""
        return page_parts.provided(page_parts.ANSWERS)(self)

    def count_breakdown_shown(self):
        """How the count is made up (signatures.count_breakdown), if the campaign shows it."""
        if not self.count_breakdown:
            return None
        return page_parts.provided(page_parts.COUNT_BREAKDOWN)(self)

    @property
    def next_step(self) -> NextStep | None:
        """The thank-you's button, if the editors gave it somewhere to go."""
        if not self.next_step_url:
            return None
        return NextStep(self.next_step_label or _("Take the next step"), self.next_step_url)

    def letter_preview(self):
        """The campaign's letter as a supporter reads it before signing."""
        return letter_preview(self.message_subject), letter_preview(self.message_body)

    def share_image(self):
        return self.social_image or self.hero_image

    @property
    def language(self) -> str:
        """The language this translation of the campaign is written in: its locale's."""
        return self.locale.language_code

    def activate_language(self, request=None) -> None:
        """Make the rest of this request (the page, its form's messages) use the campaign's
        language, whatever the visitor's browser prefers: the page must not mix two."""
        translation.activate(self.language)
        if request is not None:
            request.LANGUAGE_CODE = self.language

    def get_context(self, request, *args, form=None, **kwargs):
        """The page's context; `form` is a rejected action's form, shown with its errors."""
        self.activate_language(request)  # every way of showing the page comes through here
        context = super().get_context(request, *args, **kwargs)
        context["form"] = form or page_parts.provided(page_parts.ACTION_FORM)(campaign=self)
        if getattr(request, "is_preview", False):  # shows the targets awaiting approval too
            context["targets"], awaiting = self.targets_as_previewed()
            context["awaiting_approval"] = awaiting_approval_note(awaiting)
        else:
            context["targets"] = self.targets
        tally = self.tally()
        context.update(
            tally=tally,
            count=tally["count"],
            breakdown=self.count_breakdown_shown(),
            answers=self.answers(),
            # As the supporter reached it, so shared links work whatever the site's settings.
            share_url=request.build_absolute_uri(self.get_url(request) or "/"),
            share_text=self.share_text or self.lead,
            translations=self.translation_links(request),
        )
        context["share_links"] = sharing.share_links(context["share_url"], self.slug)
        if image := self.share_image():
            rendition = image.get_rendition("fill-1200x630")
            context["share_image_url"] = request.build_absolute_uri(rendition.url)
        return context

    @path("thank-you/")
    def thank_you(self, request):
        return self.render(request, template="campaigns/thank_you.html")

    def get_cached_paths(self):
        # What a CDN in front may keep: both show the counter (campaigns/frontend_cache.py).
        return ["/", "/thank-you/"]

    def serve_preview(self, request, mode_name):
        if mode_name == "thank-you":
            return self.thank_you(request)
        if mode_name in dict(self.EMAIL_PREVIEW_MODES):
            return self.email_preview(request, mode_name)
        return super().serve_preview(request, mode_name)

    def email_preview(self, request, mode_name):
        """An email as its recipient reads it, for the editor: never sent, nothing saved."""
        self.activate_language(request)  # the emails are written in the campaign's language
        email = type(self).email_previewer(self, mode_name)
        context = {
            "page": self,
            "email": email,
            "message": email.message,
            "mode_label": dict(self.EMAIL_PREVIEW_MODES)[mode_name],
            "sample": email.supporter,
        }
        return TemplateResponse(request, "campaigns/email_preview.html", context)
