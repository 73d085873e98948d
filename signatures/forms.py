import copy
import re
import unicodedata

from django import forms
from django.core.validators import MaxLengthValidator
from django.forms.models import fields_for_model
from django.utils.text import capfirst, format_lazy
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField
from phonenumber_field.phonenumber import PhoneNumber, to_python

from campaigns.letters import SUPPORTER_PLACEHOLDERS, placeholders_in

from . import supporter_fields, widgets
from .models import Signature

# The supporter's details a campaign may ask for; first and last name and email are always asked.
OPTIONAL_DETAILS = {
    "country": "country_field",
    "postal_code": "postal_code_field",
    "phone": "phone_field",
}
LETTER_FIELDS = ("letter_subject", "letter_body", "personal_note")
#: Filled in with the campaign's letter: left as it is, that letter is sent, so they are
#: never marked "(optional)".
PREFILLED_FIELDS = ("letter_subject", "letter_body")
LETTER_MAX_LENGTH = 5000
ONE_LINE_FIELDS = (
    "first_name",
    "last_name",
    "postal_code",
    "district",
    "phone",
    "letter_subject",
)
#: Characters that turn the text around them right to left or back: in a name, they can make
#: it read as another name wherever it is shown (the moderation list, the letter, the CSV).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: What a campaign's editors choose about its form: the form's fields follow from these alone.
FORM_SETTINGS = (
    *OPTIONAL_DETAILS.values(),
    "targeting",
    "consent_text",
    "letter_editable",
    "message_subject",
    "message_body",
    "personal_note_limit",
)

PHONE_INVALID = _("Please enter a phone number with digits only, like +351 21 000 0000.")


_country_choices: dict[str, list] = {}  # language -> its choices


def country_choices() -> list:
    """The blank choice, then every country named, and sorted, in the active language: the
    campaign's (Campaign.activate_language). Worked out once per language."""
    language = get_language()
    if language not in _country_choices:
        _country_choices[language] = [
            ("", str(_("Choose your country"))),
            *((code, str(name)) for code, name in countries),
        ]
    return _country_choices[language]


class CountryChoiceField(LazyTypedChoiceField):
    """The country list, shared by every form instead of copied 250 choices at a time."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._codes = set()  # filled on first use, shared by every form's copy

    def __deepcopy__(self, memo):
        # Field's copy, not ChoiceField's: the choices are never changed per form.
        return forms.Field.__deepcopy__(self, memo)

    def valid_value(self, value):
        # One lookup, not a walk through the 250 choices on every action.
        if not self._codes:
            self._codes.update(str(code) for code, _label in self.choices)
        return str(value) in self._codes


#: The model's fields for a supporter's details, made as a ModelForm makes them (labels,
#: lengths, widgets), but for a plain Form: taking an action builds no model instance and
#: runs no model validation, whose checks these fields already make.
_MODEL_FIELDS = fields_for_model(
    Signature,
    fields=[*supporter_fields.WRITTEN, *supporter_fields.CONTACT, "consent"],
    labels={
        "letter_subject": _("Subject"),
        "letter_body": _("Your letter"),
        "personal_note": _("Your personal note"),
    },
    widgets={
        "letter_subject": widgets.TextInput,
        "letter_body": widgets.Textarea(attrs={"rows": 12}),
        "personal_note": widgets.Textarea(attrs={"rows": 3}),
        "first_name": widgets.TextInput(attrs={"autocomplete": "given-name"}),
        "last_name": widgets.TextInput(attrs={"autocomplete": "family-name"}),
        "email": widgets.EmailInput(attrs={"autocomplete": "email"}),
        "postal_code": widgets.TextInput(attrs={"autocomplete": "postal-code"}),
        "consent": widgets.CheckboxInput,
    },
    error_messages={
        "email": {"invalid": _("Please enter a valid email address, like name@example.org.")},
    },
)
SupporterDetailsForm = type("SupporterDetailsForm", (forms.Form,), _MODEL_FIELDS)


class SignatureForm(SupporterDetailsForm):
    """A supporter's details for one campaign, set up as the campaign's editors chose.

    The single validator of an action: the HTML view and the API both use it.
    """

    # Declared once: rebuilding 250 translated choices per request was the costliest step
    # of taking an action (writing them out too: see widgets). Its choices are a callable,
    # not a list fixed in the language active when the class was built.
    country = Signature._meta.get_field("country").formfield(
        choices_form_class=CountryChoiceField,
        widget=widgets.CountrySelect(attrs={"autocomplete": "country"}),
    )
    country.choices = country_choices

    # Any usual spelling; kept in E.164 (see clean_phone).
    phone = forms.CharField(
        label=capfirst(Signature._meta.get_field("phone").verbose_name),
        max_length=30,
        required=False,
        widget=widgets.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )

    # On a campaign that writes to representatives, the district the supporter chose when
    # their postal code straddles several: offered only then, by
    # signatures/district_choice.html (the form's `district_candidates`).
    # Hidden: front ends built on the API set it only when the targets route says to choose
    # (`choose_district`); the page shows it as radio buttons, and only then.
    district = forms.CharField(
        label=capfirst(Signature._meta.get_field("district").verbose_name),
        max_length=200,
        required=False,
        widget=forms.HiddenInput,
    )
    #: The districts to choose from (campaigns.representatives.District), set by the view.
    district_candidates = ()

    # What the supporter writes comes first, the letter before their note.
    field_order = ["letter_subject", "letter_body", "personal_note"]

    def __init__(self, *args, campaign, **kwargs):
        key = (get_language(), kwargs.get("auto_id"), kwargs.get("prefix"))
        key += tuple(getattr(campaign, setting) for setting in FORM_SETTINGS)
        shared = _shared_fields.get(key)
        if shared is not None:
            self.base_fields = shared
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        if shared is None:
            self._set_up_details(campaign)
            self._set_up_letter(campaign)
            for name, field in self.fields.items():
                if field.help_text:
                    field.widget.attrs["aria-describedby"] = f"{self[name].auto_id}_help"
            if len(_shared_fields) >= 500:
                _shared_fields.clear()  # editors changed many letters: start afresh
            _shared_fields[key] = SharedFields(self.fields)

    def _set_up_details(self, campaign):
        # Representatives are found from the postal code: asked, and required, whatever
        # the setting says.
        to_representatives = campaign.targeting != "fixed"
        for name, setting in OPTIONAL_DETAILS.items():
            choice = getattr(campaign, setting)
            if name == "postal_code" and to_representatives:
                choice = "required"
            if choice == "hidden":
                del self.fields[name]
            else:
                self.fields[name].required = choice == "required"
        if not to_representatives:
            del self.fields["district"]
        if campaign.consent_text:
            self.fields["consent"].label = campaign.consent_text
        else:
            del self.fields["consent"]

    def _set_up_letter(self, campaign):
        if campaign.letter_editable:
            self.fields["letter_subject"].initial = campaign.message_subject
            self.fields["letter_body"].initial = campaign.message_body
            self._limit("letter_body", LETTER_MAX_LENGTH)
            self.fields["letter_body"].help_text = letter_help(campaign)
        else:
            del self.fields["letter_subject"], self.fields["letter_body"]
        if campaign.personal_note_limit:
            self._limit("personal_note", campaign.personal_note_limit)
            self.fields["personal_note"].help_text = _(
                "Why this matters to you, in up to %(limit)s characters."
            ) % {"limit": campaign.personal_note_limit}
        else:
            del self.fields["personal_note"]

    def _limit(self, name, limit):
        field = self.fields[name]
        field.max_length = limit
        field.widget.attrs["maxlength"] = str(limit)
        field.validators.append(MaxLengthValidator(limit))

    def clean_email(self):
        # Django's validator also takes name@localhost and name@[192.0.2.1]: no supporter's
        # address, and no reply could reach them.
        email = self.cleaned_data["email"]
        domain = email.rpartition("@")[2]
        if "." not in domain or domain.startswith("["):
            raise forms.ValidationError(self.fields["email"].error_messages["invalid"])
        return email

    prefilled_fields = PREFILLED_FIELDS

    def clean_phone(self):
        """The number in E.164 (+351210000000), by the phonenumbers library; one written
        without a + is read as a number of the supporter's country, when they gave one."""
        raw = self.cleaned_data["phone"]
        if not raw or any(map(is_control, raw)):
            return raw  # nothing given, or refused by clean() for its control characters
        number = to_python(raw, region=self.cleaned_data.get("country") or None)
        if not (isinstance(number, PhoneNumber) and number.is_valid()):
            raise forms.ValidationError(PHONE_INVALID, code="invalid")
        return number.as_e164

    def letter_fields(self):
        """The letter and note, shown with the message rather than with the details."""
        return [self[name] for name in LETTER_FIELDS if name in self.fields]

    def hidden_fields(self):
        # The district is offered by signatures/district_choice.html, never as a hidden
        # input that would send a choice the supporter did not make.
        return [field for field in super().hidden_fields() if field.name != "district"]

    def detail_fields(self):
        return [field for field in self.visible_fields() if field.name not in LETTER_FIELDS]

    def clean(self):
        cleaned = super().clean()
        for name in ONE_LINE_FIELDS:
            if any(map(is_control, cleaned.get(name) or "")):
                self.add_error(name, _("Please remove line breaks and control characters."))
        for name in ("letter_body", "personal_note"):
            if cleaned.get(name):
                cleaned[name] = cleaned[name].replace("\r\n", "\n")
        # An unchanged letter is stored as empty: the campaign's letter is sent.
        for name, original in (
            ("letter_subject", self.campaign.message_subject),
            ("letter_body", self.campaign.message_body),
        ):
            if name in cleaned and _same_text(cleaned[name], original):
                cleaned[name] = ""
        return cleaned

    def full_clean(self):
        super().full_clean()
        # Tie each error message to its field for screen readers.
        for name in self.errors:
            if name in self.fields:
                bound = self[name]
                error_id = f"{bound.auto_id}_error"
                # This form's own copy: the field is shared by every form of the campaign.
                field = bound.field = self.fields[name] = copy.deepcopy(self.fields[name])
                described_by = [error_id, field.widget.attrs.get("aria-describedby")]
                field.widget.attrs["aria-describedby"] = " ".join(filter(None, described_by))


def letter_help(campaign):
    """What a supporter may do with the campaign's letter, and which of their details it
    fills in: only the placeholders it has, and none when it has none."""
    used = [
        name
        for name in placeholders_in(campaign.message_subject, campaign.message_body)
        if name in SUPPORTER_PLACEHOLDERS
    ]
    if not used:
        return _("This letter is sent in your name. You may edit it.")
    names = ", ".join(f"{{{name}}}" for name in used)
    filled = ngettext(
        "%(placeholders)s is filled in with your details.",
        "%(placeholders)s are filled in with your details.",
        len(used),
    ) % {"placeholders": names}
    return format_lazy("{} {}", _("This letter is sent in your name. You may edit it."), filled)


class SharedFields(dict):
    """A campaign's form fields, set up once and shared by all its forms, which never change
    them (a rejected form copies the fields it marks): setting up and deep-copying ten
    fields for every action cost as much as storing it."""

    def __deepcopy__(self, memo):
        return dict(self)


#: (language, auto_id, prefix, the campaign's FORM_SETTINGS) -> its SharedFields
_shared_fields: dict[tuple, SharedFields] = {}


def is_control(char: str) -> bool:
    """Not text in a one-line field: control characters (DEL and C1 too), line and
    paragraph separators, and the controls that reorder text. Joiners stay: some
    scripts write names with them."""
    return unicodedata.category(char) in ("Cc", "Zl", "Zp") or char in BIDI_CONTROLS


def _same_text(submitted: str, original: str) -> bool:
    """Equal but for line endings and surrounding space, as browsers send textareas."""
    return re.sub(r"\s+", " ", submitted or "").strip() == re.sub(r"\s+", " ", original).strip()
