"""The action form's widgets write what Django's widget templates write, only faster."""

import re

import pytest
from django import forms
from django.urls import reverse

from signatures import widgets
from signatures.forms import SignatureForm

pytestmark = pytest.mark.django_db

#: Each of our widgets and the Django widget whose template it replaces.
DJANGO_WIDGETS = {
    widgets.TextInput: forms.TextInput,
    widgets.EmailInput: forms.EmailInput,
    widgets.CheckboxInput: forms.CheckboxInput,
    widgets.Textarea: forms.Textarea,
    widgets.CountrySelect: forms.Select,
}


def rendered_by_django(bound_field):
    widget = bound_field.field.widget
    ours = type(widget)
    widget.__class__ = DJANGO_WIDGETS[ours]
    try:
        # Django's option template ends in a newline: blank lines between options.
        return str(bound_field).replace("\n\n", "\n").rstrip("\n")
    finally:
        widget.__class__ = ours


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"country": "PT", "consent": "on", "first_name": "Ana", "phone": "+351 21 000 0000"},
        {"country": "XX", "consent": "false", "email": "not an address", "phone": "x"},
        {"country": "", "first_name": "<b>\"Ana\" & 'Bo'</b>", "last_name": "\x00"},
        {"country": "<script>", "consent": "true", "postal_code": "é" * 30},
    ],
)
def test_every_field_renders_as_with_djangos_templates(campaign, data):
    campaign.country_field = "required"
    campaign.phone_field = "optional"
    form = SignatureForm(data, campaign=campaign)
    if data is not None:
        form.is_valid()
    assert {type(form[name].field.widget) for name in form.fields} <= set(DJANGO_WIDGETS)
    for bound_field in form:
        if bound_field.name == "letter_body":
            continue  # its blank lines are the letter's own; compared below
        assert str(bound_field) == rendered_by_django(bound_field), bound_field.name


def test_the_letter_keeps_its_text_and_escapes_markup(campaign):
    campaign.message_body = "Dear Minister,\n\n<b>Release them</b>."
    bound_field = SignatureForm(campaign=campaign)["letter_body"]
    html = str(bound_field)
    assert html.endswith(">\nDear Minister,\n\n&lt;b&gt;Release them&lt;/b&gt;.</textarea>")
    assert html.startswith('<textarea name="letter_body" cols="40" rows="12" maxlength="5000"')


def test_a_rejected_action_keeps_the_chosen_country_and_ties_errors_to_fields(
    client, campaign, settings
):
    settings.CLARION_RATE_LIMIT = "0/300"
    response = client.post(
        reverse("signatures:sign", args=[campaign.pk]),
        {"first_name": "", "last_name": "Okonjo", "email": "nope", "country": "PT"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert '<option value="PT" selected>Portugal</option>' in html
    assert html.count(" selected>") == 1
    email = re.search(r'<input type="email"[^>]*>', html).group()
    assert 'aria-describedby="id_email_error"' in email and 'aria-invalid="true"' in email
    assert 'id="id_email_error"' in html


def test_a_campaigns_forms_share_fields_until_its_editors_change_the_form(campaign):
    campaign.phone_field = "optional"
    first, second = SignatureForm(campaign=campaign), SignatureForm(campaign=campaign)
    assert first.fields["email"] is second.fields["email"]  # set up once, not per action
    campaign.phone_field = "required"
    changed = SignatureForm(campaign=campaign)
    assert changed.fields["phone"].required and not first.fields["phone"].required
    assert 'required id="id_phone"' in str(changed["phone"])


def test_a_rejected_form_marks_its_own_fields_not_the_next_ones(campaign):
    rejected = SignatureForm({"email": "nope"}, campaign=campaign)
    assert not rejected.is_valid()
    assert 'aria-describedby="id_email_error"' in str(rejected["email"])
    fresh = SignatureForm(campaign=campaign)
    assert "id_email_error" not in str(fresh["email"])
    assert "id_email_error" not in str(
        SignatureForm({"email": "a@example.org"}, campaign=campaign)["email"]
    )
