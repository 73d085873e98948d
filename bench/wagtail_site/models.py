from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField


class FormField(AbstractFormField):
    page = ParentalKey("FormPage", on_delete=models.CASCADE, related_name="form_fields")


class FormPage(AbstractEmailForm):
    """A form page that emails each submission, as Wagtail's documentation builds it."""

    template = "wagtail_site/form_page.html"
    landing_page_template = "wagtail_site/form_page_landing.html"
