from django.apps import AppConfig


class WagtailFormSiteConfig(AppConfig):
    name = "bench.wagtail_site"
    label = "wagtail_form_site"
    default_auto_field = "django.db.models.BigAutoField"
