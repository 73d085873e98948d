"""The form behind a target's private link: its answer, and optionally a document."""

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .models.replies import DOCUMENT_EXTENSIONS, DOCUMENT_MAX_BYTES


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer"),
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=20_000,
        help_text=_("Published on the campaign's page with today's date, once we have read it."),
    )
    document = forms.FileField(
        label=_("A document (optional)"),
        required=False,
        help_text=_("PDF, document or picture, up to 10 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(f".{ext}" for ext in DOCUMENT_EXTENSIONS)}
        ),
    )

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if not document:
            return document
        extension = document.name.rpartition(".")[2].lower()
        if extension not in DOCUMENT_EXTENSIONS:
            raise forms.ValidationError(
                _("Please attach a PDF, a document or a picture (%(kinds)s).")
                % {"kinds": ", ".join(DOCUMENT_EXTENSIONS)}
            )
        if document.size > DOCUMENT_MAX_BYTES:
            raise forms.ValidationError(
                _("The document is too large: at most %(size)s.")
                % {"size": filesizeformat(DOCUMENT_MAX_BYTES)}
            )
        return document
