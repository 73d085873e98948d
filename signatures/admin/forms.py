from django import forms
from django.core.validators import validate_domain_name
from django.utils.translation import gettext_lazy as _

from ..models import Signature
from ..services.moderation import Rule

Status = Signature.Status

#: The largest primary key a row can have (a bigint).
MAX_ID = 2**63 - 1


class RowIdsField(forms.TypedMultipleChoiceField):
    """The ids of the rows ticked in a list: any that could exist (the service changes only
    rows that do), so the field needs no choices."""

    def __init__(self, **kwargs):
        super().__init__(coerce=int, **kwargs)

    def valid_value(self, value):
        text = str(value)
        return text.isascii() and text.isdigit() and int(text) <= MAX_ID


class BulkStatusForm(forms.Form):
    signature = RowIdsField()
    status = forms.ChoiceField(
        choices=[
            (Status.COUNTED, _("approve")),
            (Status.REJECTED, _("reject")),
            (Status.SPAM, _("spam")),
        ]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signature"].error_messages["required"] = _("Select at least one signature.")


class InvalidationForm(forms.Form):
    campaign = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Campaign"), empty_label=_("All campaigns")
    )
    email_domain = forms.CharField(
        required=False,
        max_length=253,
        label=_("Email domain"),
        help_text=_("e.g. example.org: every address at that domain."),
    )
    ip_address = forms.GenericIPAddressField(required=False, label=_("IP address"))
    signed_from = forms.DateField(
        required=False, label=_("Signed from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    signed_until = forms.DateField(
        required=False,
        label=_("Signed until (included)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    status = forms.ChoiceField(
        choices=[(Status.REJECTED, _("Reject")), (Status.SPAM, _("Mark as spam"))],
        initial=Status.REJECTED,
        label=_("Set them to"),
    )

    def __init__(self, *args, **kwargs):
        from campaigns.models import CampaignPage

        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = CampaignPage.objects.order_by("title")

    def clean_email_domain(self):
        domain = self.cleaned_data["email_domain"].strip().lower().lstrip("@")
        if domain:
            try:
                validate_domain_name(domain)
            except forms.ValidationError:
                raise forms.ValidationError(_("Enter a domain name like example.org.")) from None
        return domain

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("signed_from"), cleaned.get("signed_until")
        if start and end and start > end:
            self.add_error("signed_until", _("The end date is before the start date."))
        if not self.errors and self.rule().is_empty():
            raise forms.ValidationError(
                _("Give at least one condition: a campaign, a domain, an IP address or dates.")
            )
        return cleaned

    def rule(self) -> Rule:
        data = self.cleaned_data
        return Rule(
            campaign_id=data["campaign"].pk if data.get("campaign") else None,
            email_domain=data.get("email_domain", ""),
            ip_address=data.get("ip_address") or None,
            signed_from=data.get("signed_from"),
            signed_until=data.get("signed_until"),
        )


class AddressForm(forms.Form):
    """A supporter's address, for a data-protection request (sent by POST, never in a URL)."""

    email = forms.EmailField(label=_("Supporter's email address"), max_length=254)
    action = forms.ChoiceField(
        choices=[("access", _("Export everything held")), ("erase", _("Erase"))],
        widget=forms.RadioSelect,
        label=_("Request"),
    )
    confirm = forms.BooleanField(
        required=False,
        label=_("I understand erasure cannot be undone."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "erase" and not cleaned.get("confirm"):
            self.add_error("confirm", _("Tick this box to confirm the erasure."))
        return cleaned


class SuppressionForm(forms.Form):
    """An address whose suppression to look up or lift (sent by POST, never in a URL)."""

    email = forms.EmailField(label=_("Email address"), max_length=254)
    action = forms.ChoiceField(
        choices=[("check", _("Say why it is suppressed")), ("lift", _("Lift the suppression"))],
        widget=forms.RadioSelect,
        initial="check",
        label=_("Request"),
    )
