from django.apps import AppConfig


class CeilingConfig(AppConfig):
    name = "bench.ceiling_site"
    label = "ceiling"
    default_auto_field = "django.db.models.BigAutoField"
