from django.apps import AppConfig
from django.db.models.signals import pre_save


class CampaignsConfig(AppConfig):
    name = "campaigns"

    def ready(self):
        from wagtail_localize.models import StringTranslation

        from . import frontend_cache
        from .models.fields import check_translated_letter

        frontend_cache.connect()
        # A letter's placeholders are checked in every language, as a translator writes it.
        pre_save.connect(
            check_translated_letter, sender=StringTranslation, dispatch_uid="clarion-letter"
        )
