"""A moderator rejects a signature and exports CSV; the public counter drops by one."""

import csv
import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from signatures.models import Signature
from signatures.services import signing

# PostgreSQL: the admin sends several requests at once (autosave, editing sessions), which
# lock each other out of SQLite's in-memory test database.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.e2e.media_urls"),  # the demo's images, as a real site serves them
]

PASSWORD = "a long moderator password"


@pytest.fixture
def signed_demo(live_server, settings, demo_campaign):
    campaign = demo_campaign
    for first, last in (("Ana", "Okonjo"), ("Bruno", "Sousa")):
        signing.record_signature(
            campaign, {"first_name": first, "last_name": last, "email": f"{first}@example.org"}
        )
    moderator = get_user_model().objects.create_user("mona", "mona@staff.example", PASSWORD)
    # A transactional test starts from a flushed database: the group that a data migration
    # creates is rebuilt here with the same permissions.
    moderators, _ = Group.objects.get_or_create(name="Signature moderators")
    moderators.permissions.add(
        *Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="signatures",
            codename__in=["view_signature", "moderate_signature", "export_signature"],
        ),
    )
    moderator.groups.add(moderators)
    return campaign


def log_in_as_mona(page, live_server):
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("mona")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/admin/")


def public_count(page, url):
    page.goto(url)
    return int(page.locator(".counter strong").first.inner_text().replace(",", ""))


def test_a_moderator_rejects_a_signature_exports_csv_and_the_counter_drops_by_one(
    live_server, signed_demo, chromium
):
    campaign_url = live_server.url + signed_demo.url
    visitor = chromium.new_context().new_page()
    before = public_count(visitor, campaign_url)

    page = chromium.new_context(accept_downloads=True).new_page()
    page.set_default_timeout(60_000)
    log_in_as_mona(page, live_server)

    bruno = Signature.objects.get(first_name="Bruno")
    page.goto(live_server.url + "/admin/signatures/signature/")
    page.get_by_role("row", name="Bruno Sousa").get_by_role("checkbox").check()
    page.get_by_role("button", name="Reject").click()
    page.wait_for_load_state()
    assert page.get_by_text("1 signature is now").is_visible()
    bruno.refresh_from_db()
    assert bruno.status == Signature.Status.REJECTED

    page.goto(live_server.url + "/admin/signatures/signature/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    statuses = {(row["first name"], row["status"]) for row in rows}
    assert statuses == {("Ana", "counted"), ("Bruno", "rejected")}

    assert public_count(visitor, campaign_url) == before - 1


def test_a_moderator_selects_every_row_on_the_page_at_once(live_server, signed_demo, chromium):
    page = chromium.new_context().new_page()
    page.set_default_timeout(60_000)
    log_in_as_mona(page, live_server)

    page.goto(live_server.url + "/admin/signatures/signature/")
    page.get_by_label("Select every row on this page").check()
    rows = page.locator('input[name="signature"]')
    assert rows.count() == 2
    assert all(rows.nth(n).is_checked() for n in range(rows.count()))
    page.get_by_role("button", name="Mark as spam").click()
    page.wait_for_load_state()

    assert page.get_by_text("2 signatures are now spam").is_visible()
    assert set(Signature.objects.values_list("status", flat=True)) == {Signature.Status.SPAM}


def test_at_1366_px_each_rows_inspect_button_is_whole_and_clear_of_its_tick_box(
    live_server, signed_demo, chromium
):
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    log_in_as_mona(page, live_server)
    page.goto(live_server.url + "/admin/signatures/signature/")

    row = page.locator("tbody tr").first
    inspect = row.get_by_role("link", name="Inspect")
    tick_box = row.locator('input[type="checkbox"]')
    button, box = inspect.bounding_box(), tick_box.bounding_box()
    assert inspect.inner_text().strip() == "Inspect"
    assert button["width"] >= 50  # its word, not one squashed letter
    overlap_x = min(button["x"] + button["width"], box["x"] + box["width"]) - max(
        button["x"], box["x"]
    )
    overlap_y = min(button["y"] + button["height"], box["y"] + box["height"]) - max(
        button["y"], box["y"]
    )
    assert overlap_x <= 0 or overlap_y <= 0  # never over the tick box
    context.close()
