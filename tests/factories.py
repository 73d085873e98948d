import factory
from wagtail.models import Locale, Page, Site

from campaigns.models import CampaignIndexPage, CampaignPage, CampaignTarget, Target
from cms.base.models import HomePage

#: A supporter's details as the form and the API take them; a test adds the fields its
#: campaign asks for (`SUPPORTER | {"postal_code": ...}`).
SUPPORTER = {"first_name": "Ana", "last_name": "Okonjo", "email": "ana@example.org"}


class SiteFactory(factory.django.DjangoModelFactory):
    """A default site whose root is a fresh HomePage with a campaign index below it."""

    hostname = "testserver"
    port = 80
    is_default_site = True
    site_name = "Test"

    class Meta:
        model = Site

    @factory.lazy_attribute
    def root_page(self):
        Site.objects.all().delete()
        # Transactional tests start from an empty database: make Wagtail's tree root.
        Locale.objects.get_or_create(language_code="en")
        root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root"))
        home = root.add_child(instance=HomePage(title="Home", slug=f"home-{Page.objects.count()}"))
        home.add_child(instance=CampaignIndexPage(title="Campaigns", slug="campaigns"))
        return home


class TargetFactory(factory.django.DjangoModelFactory):
    salutation = "The Hon."
    name = factory.Sequence(lambda n: f"Minister number {n}")
    email = factory.Sequence(lambda n: f"minister{n}@example.org")

    class Meta:
        model = Target


class CampaignPageFactory(factory.django.DjangoModelFactory):
    """A published campaign with one target. Pass parent=<home page> or any index."""

    title = factory.Sequence(lambda n: f"Campaign {n}")
    lead = "Four water defenders are held without charge."
    ask = "Urge the minister to release them"
    message_subject = "Release them now"
    message_body = "Dear Minister,\n\nPlease release them.\n\nYours sincerely,"
    counter_offset = 0

    class Meta:
        model = CampaignPage

    @classmethod
    def _create(cls, model_class, *args, parent=None, targets=None, language=None, **kwargs):
        """`language`: the campaign's locale (its language), else the parent's."""
        index = CampaignIndexPage.objects.child_of(parent).first() if parent else None
        if language:
            kwargs["locale"] = Locale.objects.get_or_create(language_code=language)[0]
        page = model_class(*args, **kwargs)
        # In the order given, as the editor's form numbers them (unnumbered rows come back
        # in whatever order PostgreSQL finds them).
        page.campaign_targets = [
            CampaignTarget(target=target, sort_order=n)
            for n, target in enumerate(targets or [TargetFactory()])
        ]
        (index or parent).add_child(instance=page)
        page.save_revision().publish()
        return page


def translate(page, language, **texts):
    """Publish `page`'s translation into `language` (Wagtail's copy for translation, as
    wagtail-localize makes it, its parents translated too), with these texts changed."""
    locale = Locale.objects.get_or_create(language_code=language)[0]
    translated = page.copy_for_translation(locale, copy_parents=True)
    for name, value in texts.items():
        setattr(translated, name, value)
    translated.save_revision().publish()
    translated.refresh_from_db()
    return translated


class DirectoryFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Directory {n}")

    class Meta:
        model = "campaigns.Directory"


def representative(directory, name, prefixes, *, email=None, district="", **details):
    """A published representative of `directory` whom `prefixes` lead to."""
    from campaigns.models import PostalPrefix, normalise_postal_code

    slug = name.lower().replace(" ", ".")
    target = Target.objects.create(
        directory=directory,
        name=name,
        district=district,
        email=email or f"{slug}@parliament.example.org",
        live=True,
        **details,
    )
    for prefix in prefixes:
        PostalPrefix.objects.create(
            directory=directory, prefix=normalise_postal_code(prefix), representative=target
        )
    return target


def representative_campaign(parent, directory, *, targeting="representative", **kwargs):
    """A published campaign writing to each supporter's representatives in `directory`."""
    return CampaignPageFactory(
        parent=parent,
        targeting=targeting,
        directory=directory,
        postal_code_field="required",
        message_body="Dear {target_salutation} {target_name},\n\nPlease act.\n\n{first_name}",
        targets=kwargs.pop("targets", None) if targeting == "both" else [],
        **kwargs,
    )
