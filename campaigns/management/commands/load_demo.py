"""Create the demo site: a home page, a campaign index and one realistic campaign.

Running it again changes nothing that already exists.
"""

from io import BytesIO

from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand
from django.db import transaction
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images.models import Image
from wagtail.models import Page, Site

from campaigns.models import CampaignIndexPage, CampaignPage, CampaignTarget, Target
from cms.models import HomePage, OrganisationSettings

STORY = [
    (
        "paragraph",
        "<p>On 3 March, four members of the Lakeside Water Collective were arrested "
        "after a peaceful vigil outside the regional assembly. They had spent two years "
        "documenting how a quarry upstream poisoned the wells of three villages.</p>",
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
    ("heading", "What we are asking for"),
    (
        "paragraph",
        "<p>Write to the Minister of Justice, who has the power to order their release. "
        "Ask her to <b>release the Lakeside Four immediately and unconditionally</b>, and "
        "to open an independent investigation into the contamination they exposed.</p>",
    ),
]

MESSAGE = """Dear Minister,

I am writing to urge you to release Mara Okonjo, Daniel Reyes, Lin Aydin and Tomas Varga, the members of the Lakeside Water Collective who have been held without charge since 3 March for taking part in a peaceful vigil.

Defending access to clean water is not a crime. I ask you to release them immediately and unconditionally, to guarantee their access to their families and lawyers in the meantime, and to order an independent investigation into the contamination of the wells they documented.

Yours sincerely,"""


def _demo_image(title: str) -> Image:
    existing = Image.objects.filter(title=title).first()
    if existing:
        return existing
    picture = PILImage.new("RGB", (1600, 700))
    draw = ImageDraw.Draw(picture)
    for y in range(700):  # dusk over a lake: a calm gradient, generated, no stock photo
        shade = int(40 + 120 * y / 700)
        draw.line([(0, y), (1600, y)], fill=(shade // 2, shade * 2 // 3, shade))
    draw.ellipse((1100, 120, 1300, 320), fill=(240, 200, 120))
    buffer = BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return Image.objects.create(title=title, file=ImageFile(buffer, name="lakeside.jpg"))


class Command(BaseCommand):
    help = "Load a demo campaign (idempotent)."

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

        organisation = OrganisationSettings.for_site(site)
        if organisation.name == "Clarion" and not organisation.privacy_policy_url:
            organisation.name = "Clarion Human Rights Network"
            organisation.privacy_policy_url = "https://example.org/privacy"
            organisation.from_email = "campaigns@example.org"
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

        if CampaignPage.objects.filter(slug="free-the-lakeside-four").exists():
            self.stdout.write("Demo campaign already present.")
            return

        target, _ = Target.objects.get_or_create(
            email="minister.justice@example.org",
            defaults={"salutation": "The Hon.", "name": "Minister of Justice"},
        )
        campaign = CampaignPage(
            title="Free the Lakeside Four",
            slug="free-the-lakeside-four",
            lead="Four water defenders have been held without charge for 60 days.",
            hero_image=_demo_image("Dusk over Lake Sereno"),
            hero_credit="Illustration: Clarion demo",
            body=STORY,
            ask="Urge the Minister of Justice to release the Lakeside Four",
            message_subject="Release the Lakeside Four now",
            message_body=MESSAGE,
            counter_offset=742,
            thank_you_message="Thank you! Your message is on its way to the Minister. "
            "Share this page so that more people add their voice.",
        )
        campaign.campaign_targets = [CampaignTarget(target=target)]
        index.add_child(instance=campaign)
        campaign.save_revision().publish()
        self.stdout.write(self.style.SUCCESS(f"Demo campaign created at {campaign.url}"))
