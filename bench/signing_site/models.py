"""The baselines' models (their migration lives beside them, in bench/ only)."""

from django.db import models
from django_countries.fields import CountryField
from modelcluster.fields import ParentalKey
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField


class CeilingSignature(models.Model):
    """The ceiling: the same six fields as a signature, one row, nothing else."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField()
    country = CountryField(blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    consent = models.BooleanField(default=False)

    def __str__(self):
        return self.email


class WagtailFormField(AbstractFormField):
    page = ParentalKey("WagtailFormPage", on_delete=models.CASCADE, related_name="form_fields")


class WagtailFormPage(AbstractEmailForm):
    """What a Wagtail user would build instead: a form page that emails each submission."""

    template = "signing_site/wagtail_form_page.html"
    landing_page_template = "signing_site/wagtail_form_page_landing.html"
