"""Importing representatives in the admin: a dry run with each error's line, then the import,
only for those who may publish targets (where letters go), logged."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import ModelLogEntry

from campaigns.models import Directory, Target
from campaigns.representatives import find
from tests.moderation.conftest import make_user

pytestmark = pytest.mark.django_db

URL = "/admin/directories/import/"
HEADER = "postal_code,name,salutation,email,district,party,language\n"
GOOD = (
    HEADER
    + "K1A,Ann Ottawa,Ms,ann@parl.example.org,Ottawa Centre,,\nK2P,Bob West,Mr,bob@parl.example.org,,,\n"
)


def upload(client, text, replace=""):
    csv = SimpleUploadedFile("reps.csv", text.encode(), content_type="text/csv")
    return client.post(URL, {"directory": "House", "file": csv, "replace": replace})


@pytest.fixture
def publisher_client(client, site):
    client.force_login(make_user("pat", "Moderators"))
    return client


def test_the_screen_is_at_its_address():
    assert reverse("directory_admin:import") == URL


def test_a_dry_run_previews_then_the_confirmation_imports_and_logs(publisher_client):
    response = upload(publisher_client, GOOD)

    assert response.status_code == 200
    html = response.content.decode()
    assert "2 representatives to add" in html and "Ann Ottawa" in html
    assert not Directory.objects.exists()  # a dry run writes nothing

    token = response.context["token"]
    response = publisher_client.post(URL, {"confirm": token})
    assert response.status_code == 302
    directory = Directory.objects.get(name="House")
    assert [p.name for p in find(directory, "k1a 0a6")] == ["Ann Ottawa"]
    entry = ModelLogEntry.objects.get(action="clarion.directory.import")
    assert entry.user.username == "pat" and entry.data["created"] == 2

    # The same confirmation again does nothing: it was used.
    publisher_client.post(URL, {"confirm": token})
    assert ModelLogEntry.objects.filter(action="clarion.directory.import").count() == 1


def test_errors_are_listed_with_their_line_numbers_and_nothing_is_offered_to_import(
    publisher_client,
):
    response = upload(publisher_client, GOOD + "K3A,,Mr,x@parl.example.org,,,\nK4A,Cy,Mr,nope,,,\n")

    html = response.content.decode()
    assert "The file has 2 errors" in html
    assert "<td>4</td><td>The name is empty.</td>" in html
    assert "<td>5</td><td>“nope” is not an email address.</td>" in html
    assert "token" not in response.context
    assert not Directory.objects.exists()


def test_replace_makes_the_directory_the_file(publisher_client):
    upload(publisher_client, GOOD)
    publisher_client.post(URL, {"confirm": upload(publisher_client, GOOD).context["token"]})
    response = upload(publisher_client, HEADER + "K1A,Cy New,Mr,cy@parl.example.org,,,\n", "1")
    assert "1 to remove" not in response.content.decode()  # Ann and Bob: 2 to remove
    publisher_client.post(URL, {"confirm": response.context["token"]})
    directory = Directory.objects.get()
    assert sorted(Target.objects.filter(directory=directory).values_list("name", flat=True)) == [
        "Cy New"
    ]


def test_who_may_not_publish_targets_may_not_import(client, site):
    for group in ("Editors", "Signature moderators"):
        client.force_login(make_user(f"user-{group}", group))
        assert client.get(URL).status_code == 403
        assert upload(client, GOOD).status_code == 403
    assert not Directory.objects.exists()


def test_a_refresh_shows_its_difference_and_the_directory_when_and_from_what(publisher_client):
    publisher_client.post(URL, {"confirm": upload(publisher_client, GOOD).context["token"]})
    html = publisher_client.get(URL).content.decode()
    assert "<td>House</td>" in html and "<td>reps.csv</td><td>pat</td>" in html

    refresh = (
        HEADER
        + "K1A,Ann Ottawa,Ms,ann@new.example.org,Ottawa Centre,,\nK2P,Cy New,Mr,cy@x.org,,,\n"
    )
    response = upload(publisher_client, refresh, "1")

    html = response.content.decode()
    assert "<li>Cy New</li>" in html  # added
    assert "<li>Bob West</li>" in html  # removed
    assert (
        "<td>Ann Ottawa (Ottawa Centre)</td><td>ann@parl.example.org</td>"
        "<td>ann@new.example.org</td>"
    ) in html
    assert "<td>K2P</td><td>Bob West</td><td>Cy New</td>" in html  # a code changing hands
    directory = Directory.objects.get()
    assert [p.name for p in find(directory, "K2P")] == ["Bob West"]  # not applied yet

    publisher_client.post(URL, {"confirm": response.context["token"]})
    assert [p.name for p in find(directory, "K2P")] == ["Cy New"]
    entry = ModelLogEntry.objects.filter(action="clarion.directory.import").latest("pk")
    assert entry.user.username == "pat" and entry.data["source"] == "reps.csv"
    assert entry.data["changing_hands"] == [["K2P", "Bob West", "Cy New"]]


def test_only_who_may_import_sees_it_in_the_settings_menu(rf, site):
    from campaigns.wagtail_hooks import import_representatives_menu_item

    item = import_representatives_menu_item()
    assert item.url == URL
    for group, shown in (("Moderators", True), ("Editors", False)):
        request = rf.get("/admin/")
        request.user = make_user(f"menu-{group}", group)
        assert item.is_shown(request) is shown


def test_applying_a_refresh_that_holds_letters_says_so_and_lists_them(publisher_client, campaign):
    from signatures.models import Delivery, Signature

    publisher_client.post(URL, {"confirm": upload(publisher_client, GOOD).context["token"]})
    bob = Target.objects.get(name="Bob West")
    signature = Signature.objects.create(
        campaign=campaign, first_name="S", last_name="T", email="s@example.org", email_key="s"
    )
    Delivery.objects.create(signature=signature, target=bob)
    ann_only = HEADER + "K1A,Ann Ottawa,Ms,ann@parl.example.org,Ottawa Centre,,\n"

    response = upload(publisher_client, ann_only, "1")
    assert "will be held" in response.content.decode()
    response = publisher_client.post(URL, {"confirm": response.context["token"]}, follow=True)

    html = response.content.decode()
    assert "1 letter is held: its representative left with no successor" in html
    assert "<td>House</td><td></td><td>Bob West</td><td>1</td>" in html


def test_a_refresh_applies_only_the_difference_that_was_reviewed(publisher_client):
    """Two moderators preview refreshes of one directory; the one confirmed second would
    apply a difference nobody saw (the first changed the directory): nothing is written,
    and the screen shows the difference as it is now, to confirm again."""
    publisher_client.post(URL, {"confirm": upload(publisher_client, GOOD).context["token"]})
    replace_with_cy = upload(
        publisher_client, HEADER + "K1A,Cy New,Mr,cy@parl.example.org,,,\n", "1"
    )
    assert "Bob West" in replace_with_cy.content.decode()  # reviewed: Ann and Bob leave
    # Meanwhile another refresh is applied: Bob has already left, Dee has come.
    other = upload(
        publisher_client,
        HEADER
        + "K1A,Ann Ottawa,Ms,ann@parl.example.org,Ottawa Centre,,\nK2P,Dee Down,Ms,dee@parl.example.org,,,\n",
        "1",
    )
    publisher_client.post(URL, {"confirm": other.context["token"]})

    response = publisher_client.post(URL, {"confirm": replace_with_cy.context["token"]})

    assert response.status_code == 200
    html = response.content.decode()
    assert "changed after your preview" in html
    directory = Directory.objects.get()
    assert sorted(
        Target.objects.filter(directory=directory, live=True).values_list("name", flat=True)
    ) == [
        "Ann Ottawa",
        "Dee Down",
    ]  # the reviewed difference was not applied
    assert "Dee Down" in html  # the difference now: Ann and Dee leave
    publisher_client.post(URL, {"confirm": response.context["token"]})
    assert list(
        Target.objects.filter(directory=directory, live=True).values_list("name", flat=True)
    ) == ["Cy New"]
