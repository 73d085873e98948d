"""Create the demo site: a home page, a campaign index, one realistic campaign to fixed
targets, and one that writes to the supporter's representative, found from their postal
code in the directory "Demo representatives" (fictional people; see DEMO_REPRESENTATIVES
and the README).

Running it again changes nothing that already exists.
"""

from io import BytesIO
from urllib.parse import urlsplit

from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images.models import Image
from wagtail.models import Locale, Page, Revision, Site
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)

from campaigns.directory_import import import_directory, read_csv
from campaigns.models import CampaignIndexPage, CampaignPage, CampaignTarget, Directory, Target
from cms.base.models import HomePage, OrganisationSettings

from . import demo_french

DEMO_DIRECTORY = "Demo representatives"
#: The checkbox says what supporters agree to: this campaign's updates (staff news and the
#: targets' answers, each with a one-click unsubscribe), and the organisation's other news.
CONSENT = (
    "Email me news of this campaign, including the targets' answers (one click "
    "unsubscribes), and keep me informed about other campaigns."
)
#: Fictional representatives, in the import's CSV format (README: "Writing to representatives").
DEMO_REPRESENTATIVES = """postal_code,name,salutation,email,district,party,language
K1A,Margaret Lowell,Hon.,margaret.lowell@demo-parliament.example.org,Parliament Hill (demo),Demo Party,en
K2P,Daniel Okafor,Mr,daniel.okafor@demo-parliament.example.org,Ottawa Centre (demo),Demo Party,en
K,Ruth Abernathy,Ms,ruth.abernathy@demo-parliament.example.org,Eastern Ontario (demo),Other Demo Party,en
M5V,Sofia Marchetti,Ms,sofia.marchetti@demo-parliament.example.org,Toronto Harbourfront (demo),Demo Party,en
H2X,Julien Tremblay,M.,julien.tremblay@demo-parliament.example.org,Montréal-Centre (demo),Parti démo,fr
V6B,Priya Nair,Dr,priya.nair@demo-parliament.example.org,Vancouver Downtown (demo),Other Demo Party,en
SW1A,Eleanor Pryce,Rt Hon.,eleanor.pryce@demo-parliament.example.org,Westminster (demo),Demo Party,en
"""
REPRESENTATIVE_LETTER = """Dear {target_name},

As your constituent, I ask you to support the Clean Water for Every Community bill when it comes
before the House, and to say so publicly.

Too many communities still live under boil-water advisories. Safe drinking water is a human
right, and it is within our means to guarantee it.

Yours sincerely,
{first_name} {last_name}"""


def _story(vigil: Image, well: Image) -> list:
    """The campaign's story, one block of each kind but video (a video needs the network)."""
    return [
        (
            "paragraph",
            "<p>On 3 March, four members of the Lakeside Water Collective were arrested "
            "after a peaceful vigil outside the regional assembly. They had spent two years "
            "documenting how a quarry upstream poisoned the wells of three villages.</p>",
        ),
        (
            "image",
            {
                "image": vigil,
                "alt_text": "Candles held up at night outside the regional assembly",
                "caption": "The vigil of 3 March, hours before the arrests.",
                "credit": "Illustration: Clarion demo",
            },
        ),
        ("heading", "Held for speaking up"),
        (
            "paragraph",
            "<p>Mara Okonjo, Daniel Reyes, Lin Aydin and Tomas Varga have been held without "
            "charge for more than 60 days. Their families have not been allowed to visit, "
            "and their lawyer has seen them only once, for ten minutes.</p>",
        ),
        (
            "quote",
            {
                "quote": "We asked for clean water. They answered with handcuffs.",
                "attribution": "Ana Okonjo, Mara's sister",
            },
        ),
        (
            "two_columns",
            {
                "text": "<p>Since the quarry opened, the water of three villages has turned "
                "orange. The collective took samples every month and published them: lead and "
                "arsenic, up to forty times the safe limit.</p>",
                "image": well,
                "alt_text": "A village well whose water has turned orange",
                "caption": "Well no. 3 in Vila Sereno. Illustration: Clarion demo",
                "image_side": "right",
            },
        ),
        (
            "call_out",
            {
                "title": "60 days without charge",
                "text": "<p>International law allows no one to be held this long without being "
                "brought before a judge. Every day counts.</p>",
                "link_url": "https://example.org/lakeside-four/report",
                "link_label": "Read the collective's report",
            },
        ),
        ("heading", "What we are asking for"),
        (
            "paragraph",
            "<p>Write to the Minister of Justice, who has the power to order their release, and "
            "to the Governor of the Lake Sereno region. Ask them to <b>release the Lakeside Four "
            "immediately and unconditionally</b>, and to open an independent investigation into "
            "the contamination they exposed.</p>",
        ),
    ]


MESSAGE = """Dear Minister, dear Governor,

My name is {first_name} {last_name}, and I am writing to urge you to release Mara Okonjo, Daniel Reyes, Lin Aydin and Tomas Varga, the members of the Lakeside Water Collective who have been held without charge since 3 March for taking part in a peaceful vigil.

Defending access to clean water is not a crime. I ask you to release them immediately and unconditionally, to guarantee their access to their families and lawyers in the meantime, and to order an independent investigation into the contamination of the wells they documented.

Yours sincerely,"""


def _generated_image(title: str, filename: str, size: tuple[int, int], draw_picture) -> Image:
    """A picture drawn here (no stock photos, no network), created once."""
    existing = Image.objects.filter(title=title).first()
    if existing:
        return existing
    picture = PILImage.new("RGB", size)
    draw_picture(ImageDraw.Draw(picture), *size)
    buffer = BytesIO()
    picture.save(buffer, "PNG" if filename.endswith(".png") else "JPEG", quality=85)
    return Image.objects.create(title=title, file=ImageFile(buffer, name=filename))


def _dusk(draw, width, height):
    for y in range(height):  # dusk over a lake: a calm gradient
        shade = int(40 + 120 * y / height)
        draw.line([(0, y), (width, y)], fill=(shade // 2, shade * 2 // 3, shade))
    draw.ellipse((1100, 120, 1300, 320), fill=(240, 200, 120))


def _well(draw, width, height):
    draw.rectangle((0, 0, width, height), fill=(232, 224, 208))
    draw.rectangle((0, height * 2 // 3, width, height), fill=(150, 120, 80))
    draw.rectangle((260, 250, 540, 520), fill=(120, 110, 100))  # the well
    draw.ellipse((250, 220, 550, 290), fill=(180, 90, 30))  # orange water
    draw.line([(260, 120), (260, 250)], fill=(60, 50, 40), width=12)
    draw.line([(540, 120), (540, 250)], fill=(60, 50, 40), width=12)
    draw.line([(240, 120), (560, 120)], fill=(60, 50, 40), width=14)


def _vigil(draw, width, height):
    draw.rectangle((0, 0, width, height), fill=(28, 26, 40))
    draw.rectangle((0, height - 140, width, height), fill=(52, 46, 58))  # the assembly steps
    for index in range(14):
        x = 60 + index * 70
        y = 330 + (index % 3) * 25
        draw.rectangle((x, y, x + 14, y + 60), fill=(235, 228, 210))  # a candle
        draw.ellipse((x - 6, y - 34, x + 20, y - 2), fill=(255, 196, 80))  # its flame


def _logo(draw, width, height):
    draw.rectangle((0, 0, width, height), fill=(255, 255, 255))
    draw.ellipse((8, 8, width - 8, height - 8), fill=(179, 18, 43))
    draw.polygon([(40, 30), (40, 98), (96, 64)], fill=(255, 255, 255))  # a voice, going out


def host_and_port(value: str) -> tuple[str, int]:
    """HOST:PORT as runserver takes it; a URL (http://HOST:PORT/) is read for the same two."""
    parts = urlsplit(value if "//" in value else f"//{value}")
    try:
        port = parts.port
    except ValueError:
        port = -1
    if not parts.hostname or port == -1 or parts.path not in ("", "/"):
        raise CommandError(f"--address takes HOST:PORT, such as 127.0.0.1:8000, not {value!r}")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


class Command(BaseCommand):
    help = "Load a demo campaign (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--address",
            metavar="HOST:PORT",
            help="Where the site is served (e.g. runserver's 127.0.0.1:8000): the links in "
            "emails and the API are made with it.",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        site = Site.objects.filter(is_default_site=True).first()
        home = HomePage.objects.first()
        if home is None:
            root = Page.get_first_root_node()
            home = root.add_child(
                instance=HomePage(
                    title="Clarion",
                    slug="clarion-home",
                    intro="Campaigns for human rights. Add your voice.",
                )
            )
            if site is None:
                site = Site.objects.create(
                    hostname="localhost", root_page=home, is_default_site=True
                )
            else:
                old_root = site.root_page
                site.root_page = home
                site.save()
                if old_root.specific_class is Page and old_root.depth == 2:
                    old_root.delete()  # Wagtail's "Welcome" placeholder
                home.slug = "home"
                home.save()

        if options["address"]:
            site.hostname, site.port = host_and_port(options["address"])
            site.save()

        organisation = OrganisationSettings.for_site(site)
        if organisation.name == "Clarion" and not organisation.privacy_policy_url:
            organisation.name = "Clarion Human Rights Network"
            organisation.privacy_policy_url = "https://example.org/privacy"
            organisation.from_email = "campaigns@example.org"
            organisation.logo = _generated_image("Clarion logo", "logo.png", (128, 128), _logo)
            organisation.demo_branding = True  # renaming the organisation lets these go
            organisation.save()

        index = CampaignIndexPage.objects.child_of(home).first()
        if index is None:
            index = home.add_child(
                instance=CampaignIndexPage(
                    title="Take action",
                    slug="act",
                    intro="Every message counts. Choose a campaign.",
                )
            )

        self._write_to_your_representative(index)
        campaign = CampaignPage.objects.filter(slug="free-the-lakeside-four").first()
        if campaign is None:
            campaign = self.create_campaign(index)
        else:
            self.stdout.write("Demo campaign already present.")
        self.translate_into_french(home, index, campaign)

    def translate_into_french(self, home, index, campaign):
        """The demo in French too, as a bilingual organisation publishes every action:
        translated with wagtail-localize, so the admin shows it as the campaign's
        translation (and offers to sync it when the English page changes)."""
        french = Locale.objects.get_or_create(language_code="fr")[0]
        if campaign.get_translations().filter(locale=french).exists():
            return
        for page in (home, index, campaign):  # each page's parent first
            translate(page, french, demo_french.TEXTS)
        translation = campaign.get_translation(french)
        self.stdout.write(self.style.SUCCESS(f"French translation created at {translation.url}"))

    def create_campaign(self, index):
        minister, _ = Target.objects.get_or_create(
            email="minister.justice@example.org",
            defaults={"salutation": "The Hon.", "name": "Minister of Justice"},
        )
        governor, _ = Target.objects.get_or_create(
            email="governor.sereno@example.org",
            defaults={"salutation": "Governor", "name": "Lake Sereno Region", "country": "PT"},
        )
        hero = _generated_image("Dusk over Lake Sereno", "lakeside.jpg", (1600, 700), _dusk)
        well = _generated_image("A well near Lake Sereno", "well.png", (800, 600), _well)
        vigil = _generated_image("The vigil", "vigil.jpg", (1000, 560), _vigil)
        campaign = CampaignPage(
            title="Free the Lakeside Four",
            slug="free-the-lakeside-four",
            lead="Four water defenders have been held without charge for 60 days.",
            hero_image=hero,
            hero_credit="Illustration: Clarion demo",
            body=_story(vigil, well),
            ask="Urge the Minister and the Governor to free the Lakeside Four",
            message_subject="Release the Lakeside Four now",
            message_body=MESSAGE,
            letter_editable=True,
            personal_note_limit=500,
            country_field="optional",
            postal_code_field="optional",
            phone_field="hidden",
            button_label="Send my message",
            consent_text=CONSENT,
            counter_offset=742,
            thank_you_message="Thank you! Your message is on its way to the Minister and the "
            "Governor. Share this page so that more people add their voice.",
            share_text="I just wrote to the Minister of Justice to free the Lakeside Four. "
            "Will you add your voice?",
            next_step_label="Support the defence fund",
            next_step_url="https://example.org/donate",
            search_description="Four water defenders are held without charge. "
            "Write to the Minister of Justice today.",
        )
        campaign.campaign_targets = [
            CampaignTarget(target=minister),
            CampaignTarget(target=governor),
        ]
        index.add_child(instance=campaign)
        campaign.save_revision().publish()
        self.stdout.write(self.style.SUCCESS(f"Demo campaign created at {campaign.url}"))
        return campaign

    def _write_to_your_representative(self, index):
        """The second demo campaign: each letter goes to the supporter's representative."""
        if CampaignPage.objects.filter(slug="write-to-your-representative").exists():
            return
        campaign = representative_campaign(index)
        self.stdout.write(self.style.SUCCESS(f"Demo campaign created at {campaign.url}"))


def representative_campaign(index) -> CampaignPage:
    """The demo's "Clean water for every community" under `index`, published: each letter goes
    to the supporter's representative in the demo directory (imported first if absent).
    The benchmarks measure this same campaign (bench/bench_signing.py)."""
    if not Directory.objects.filter(name=DEMO_DIRECTORY).exists():
        import_directory(DEMO_DIRECTORY, read_csv(DEMO_REPRESENTATIVES), replace=True)
    campaign = CampaignPage(
        title="Clean water for every community",
        slug="write-to-your-representative",
        lead="Ask your own representative to back the Clean Water for Every Community bill.",
        ask="Write to your representative",
        targeting="representative",
        directory=Directory.objects.get(name=DEMO_DIRECTORY),
        message_subject="Please back the Clean Water for Every Community bill",
        message_body=REPRESENTATIVE_LETTER,
        letter_editable=True,
        personal_note_limit=500,
        country_field="hidden",
        postal_code_field="required",
        phone_field="hidden",
        button_label="Send my letter",
        consent_text=CONSENT,
        counter_offset=128,
        thank_you_message="Thank you! Your letter is on its way to your representative.",
        search_description="Write to your own representative about clean water.",
    )
    index.add_child(instance=campaign)
    campaign.save_revision().publish()
    return campaign


def translate(page, locale, texts: dict[str, str]):
    """Translate `page` into `locale` as an editor does in wagtail-localize's editor, every
    segment from `texts` (source text -> translation), and publish the translation."""
    source, _created = TranslationSource.get_or_create_from_instance(page)
    translation, _created = Translation.objects.get_or_create(source=source, target_locale=locale)
    segments = StringSegment.objects.filter(source=source).select_related("string", "context")
    missing = [segment.string.data for segment in segments if segment.string.data not in texts]
    if missing:
        raise CommandError(f"The demo's French lacks: {missing!r}")
    for segment in segments:
        StringTranslation.objects.update_or_create(
            translation_of=segment.string,
            locale=locale,
            context=segment.context,
            defaults={"data": texts[segment.string.data], "translation_type": "manual"},
        )
    # Saved as a draft, then published here and now: wagtail-localize would publish after
    # the commit from the revision's copy of the page, whose count of children (the pages
    # translated after it, in this same transaction) would then be stale, hiding them.
    translation.save_target(publish=False)
    translated = page.get_translation(locale)
    Revision.objects.get(pk=translated.latest_revision_id).publish()
