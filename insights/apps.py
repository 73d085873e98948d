from django.apps import AppConfig


class InsightsConfig(AppConfig):
    """Page views, counted without a trace of the visitor, and where visits come from."""

    name = "insights"
    verbose_name = "Clarion insights"
