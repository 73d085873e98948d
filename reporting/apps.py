from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """A campaign's figures and the live campaigns' overview, read from signatures and insights."""

    name = "reporting"
    verbose_name = "Clarion reporting"
