from django.apps import AppConfig


class SignaturesConfig(AppConfig):
    name = "signatures"

    def ready(self):
        from django.core.signals import request_finished, request_started
        from django.db.models.signals import post_delete, post_save
        from wagtail.signals import (
            page_published,
            page_slug_changed,
            page_unpublished,
            post_page_move,
            workflow_approved,
        )

        # The checks register themselves; the tasks too, under the names services enqueue.
        from signatures import task_checks, tasks  # noqa: F401
        from signatures.caching import live_campaigns, page_cache  # noqa: F401

        from .services import after_response, previews, target_approval

        # Follow-up work waits until the response is complete: timing never tells who signed.
        request_started.connect(after_response.hold)
        request_finished.connect(after_response.release)
        # The campaign page's email previews are written by the service (no model imports one).
        from campaigns.models import CampaignPage

        CampaignPage.email_previewer = staticmethod(previews.preview)
        # A campaign approved in a workflow publishes the new targets it was submitted with.
        workflow_approved.connect(target_approval.publish_with_approved_campaign)

        # Any change to the page tree may change what a cached page shows: drop them all.
        for signal in (page_published, page_unpublished, page_slug_changed, post_page_move):
            signal.connect(page_cache.invalidate)
            signal.connect(live_campaigns.forget)
        post_delete.connect(page_cache.invalidate_on_page_change)
        post_save.connect(page_cache.invalidate_on_page_change)
        # Every campaign page shows its organisation's settings and its targets' names.
        from campaigns.models import Target
        from cms.base.models import OrganisationSettings

        for model in (OrganisationSettings, Target):
            post_save.connect(page_cache.invalidate_on_change, sender=model)
        post_delete.connect(live_campaigns.forget)
        # A password, login or group restriction put on a page (or above it): the copies
        # made while it was public must go with its publicity.
        from wagtail.models import PageViewRestriction

        post_save.connect(page_cache.invalidate, sender=PageViewRestriction)
        post_save.connect(live_campaigns.forget, sender=PageViewRestriction)
        # What each process keeps of published pages (signatures.caching.published_pages) goes with
        # the generation too: a restriction lifted, a site or a locale changed, an image
        # edited or deleted, a target or the organisation's settings deleted.
        from wagtail.images import get_image_model
        from wagtail.models import Locale, Site

        post_delete.connect(page_cache.invalidate, sender=PageViewRestriction)
        for model in (Site, Locale, get_image_model()):
            post_save.connect(page_cache.invalidate, sender=model)
            post_delete.connect(page_cache.invalidate, sender=model)
        for model in (OrganisationSettings, Target):
            post_delete.connect(page_cache.invalidate, sender=model)

        # A target's answer published or withdrawn shows at once on every translation's
        # page and in the API: its campaign's cached answers, the kept pages and a CDN's.
        from wagtail.signals import published, unpublished

        from campaigns import frontend_cache

        from . import answers
        from .models import TargetReply

        for signal in (published, unpublished, post_delete):
            signal.connect(answers.changed, sender=TargetReply)
            signal.connect(page_cache.invalidate_now_and_after_commit, sender=TargetReply)
            signal.connect(frontend_cache.answer_changed, sender=TargetReply)

        # Published, an answer or a staff update is emailed to the supporters who agreed.
        from .models import CampaignUpdate
        from .services import updates

        published.connect(updates.published, sender=TargetReply)
        published.connect(updates.published, sender=CampaignUpdate)

        from anymail.signals import tracking

        from .tracking_webhooks import received

        tracking.connect(received, dispatch_uid="clarion-tracking")
