from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save


class CampaignsConfig(AppConfig):
    name = "campaigns"

    def ready(self):
        from wagtail.models import PageViewRestriction
        from wagtail_localize.models import StringTranslation

        from . import frontend_cache
        from .models import restrictions
        from .models.translated_letters import check_translated_letter

        frontend_cache.connect()
        # A letter's placeholders are checked in every language, as a translator writes it.
        pre_save.connect(
            check_translated_letter, sender=StringTranslation, dispatch_uid="clarion-letter"
        )
        # A restriction on one translation of a campaign is on all of them.
        post_save.connect(
            restrictions.copy_to_translations, sender=PageViewRestriction, dispatch_uid="clarion"
        )
        m2m_changed.connect(
            restrictions.copy_groups,
            sender=PageViewRestriction.groups.through,
            dispatch_uid="clarion",
        )
        post_delete.connect(
            restrictions.delete_copies, sender=PageViewRestriction, dispatch_uid="clarion"
        )
