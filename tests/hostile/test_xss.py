"""A corpus of XSS payloads in every supporter field never appears unescaped: not in the
page re-rendered with errors, the admin's list and detail screens, the emails the mail
server receives, nor the CSV export (where formula payloads are neutralised)."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.html import escape

from signatures.forms import SignatureForm
from signatures.models import Signature

from .corpus import FORMULA_PAYLOADS, SHORT_XSS_PAYLOADS, XSS_PAYLOADS

TEXT_FIELDS = {
    "first_name",
    "last_name",
    "postal_code",
    "letter_subject",
    "letter_body",
    "personal_note",
}


@pytest.fixture
def open_form(settings):
    settings.CLARION_MIN_FILL_SECONDS = 0
    settings.CLARION_RATE_LIMIT = "0/300"


def hostile_details(campaign, payload, n):
    """The payload in every free-text field the campaign's form has (cut to fit)."""
    form = SignatureForm(campaign=campaign)
    details = {"email": f"xss{n}@example.org", "country": "PT"}
    for name in TEXT_FIELDS & set(form.fields):
        limit = form.fields[name].max_length or len(payload)
        details[name] = payload if len(payload) <= limit else SHORT_XSS_PAYLOADS[n % 3]
    return details


def assert_escaped(html, payloads):
    for payload in payloads:
        assert payload not in html, f"unescaped: {payload}"


@pytest.mark.django_db
@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_the_form_shown_again_with_errors_escapes_every_field(client, campaign, open_form, payload):
    details = hostile_details(campaign, payload, 0) | {"email": payload, "phone": payload}
    response = client.post(reverse("signatures:sign", args=[campaign.pk]), details)

    assert response.status_code == 400
    page = response.content.decode()
    assert_escaped(page, [payload])
    assert escape(payload) in page  # the supporter's input is kept, escaped


@pytest.fixture
def hostile_signatures(client, campaign, open_form, smtp_server, transactional_db):
    """One action per payload, through the form, each delivered to the real SMTP server."""
    campaign.send_receipt = True
    campaign.save(update_fields=["send_receipt"])
    payloads = XSS_PAYLOADS + FORMULA_PAYLOADS
    for n, payload in enumerate(payloads):
        response = client.post(
            reverse("signatures:sign", args=[campaign.pk]), hostile_details(campaign, payload, n)
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    assert Signature.objects.count() == len(payloads)
    return payloads


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("root", "root@staff.example", "pw")
    client.force_login(user)
    return client


@pytest.mark.django_db(transaction=True)
def test_the_admin_list_and_detail_screens_escape_supporters_data(hostile_signatures, admin_client):
    listing = admin_client.get("/admin/signatures/signature/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert_escaped(html, XSS_PAYLOADS)
    assert escape("<script>alert(1)</script>") in html

    for signature in Signature.objects.all():
        detail = admin_client.get(f"/admin/signatures/signature/inspect/{signature.pk}/")
        assert detail.status_code == 200
        assert_escaped(detail.content.decode(), XSS_PAYLOADS)


@pytest.mark.django_db(transaction=True)
def test_the_emails_never_carry_payloads_into_html_or_headers(hostile_signatures, smtp_server):
    # Tasks run in-process after each commit here: every action's emails have been sent.
    messages = smtp_server.wait_for(len(hostile_signatures), timeout=30)
    assert len(messages) >= len(hostile_signatures)
    letters = [m for m in messages if m["Reply-To"]]
    assert len(letters) == len(hostile_signatures)
    for message in messages:
        for part in message.walk():
            if part.get_content_type() == "text/html":
                assert_escaped(part.get_content(), XSS_PAYLOADS)
        # A name can never add or break a header: one line each, no extra recipients.
        for name, value in message.items():
            assert "\n" not in str(value).strip() or name.lower() == "subject"
        assert len(message["To"].addresses) == 1


@pytest.mark.django_db(transaction=True)
def test_the_csv_export_neutralises_formulas_and_keeps_markup_as_text(
    hostile_signatures, admin_client
):
    response = admin_client.get("/admin/signatures/export/")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    cells = [cell for row in rows[1:] for cell in row]
    assert len(rows) - 1 == len(hostile_signatures)
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@")), cell
    for payload in FORMULA_PAYLOADS:
        assert "'" + payload in cells
    # Markup is data in a CSV: it is kept exactly, so nothing the supporter typed is lost.
    assert "<script>alert(1)</script>" in cells
