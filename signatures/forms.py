from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Signature


class SignatureForm(forms.ModelForm):
    """A supporter's details for one campaign."""

    class Meta:
        model = Signature
        fields = ["first_name", "last_name", "email", "country", "postal_code", "consent"]
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "country": forms.Select(attrs={"autocomplete": "country"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
        }
        error_messages = {
            "email": {"invalid": _("Please enter a valid email address, like name@example.org.")},
        }

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["consent"].label = campaign.consent_text
        self.fields["country"].choices = [("", _("Choose your country"))] + list(
            self.fields["country"].choices
        )[1:]

    def clean(self):
        cleaned = super().clean()
        for name in ("first_name", "last_name", "postal_code"):
            value = cleaned.get(name, "")
            if any(ord(char) < 32 for char in value):
                self.add_error(name, _("Please remove line breaks and control characters."))
        return cleaned

    def full_clean(self):
        super().full_clean()
        # Tie each error message to its field for screen readers.
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].auto_id}_error"

    def validate_unique(self):
        # Duplicates are not errors: a repeat signature is answered like a first one.
        pass
