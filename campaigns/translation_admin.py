"""Translations go through moderation like any page (issue 28, finding 3).

"Translate this page" makes a draft (settings.WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE).
wagtail-localize's editor offers only "Publish in <language>", to those who may publish; an
Editor, who may not, submits the translation for moderation with a button above the editor: the
translated segments become a draft revision, which enters the page's workflow, as the page
editor's "Submit for moderation" does. A moderator then approves (publishes) it, from the
dashboard or with "Publish in <language>".
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import Page
from wagtail_localize.models import Translation


def synced_translation(page) -> Translation | None:
    """The wagtail-localize translation whose target `page` is, while it is synced."""
    return (
        Translation.objects.filter(
            source__object_id=page.translation_key, target_locale_id=page.locale_id, enabled=True
        )
        .select_related("source", "target_locale")
        .first()
    )


def may_submit(page, user) -> bool:
    permissions = page.permissions_for_user(user)
    return permissions.can_edit() and permissions.can_submit_for_moderation()


@require_POST
def submit_translation(request, page_id: int):
    """Submit the translation's segments for moderation, from the translation editor
    (templates/wagtail_localize/admin/edit_translation.html)."""
    page = get_object_or_404(Page, pk=page_id).specific
    translation = synced_translation(page)
    if translation is None:
        raise Http404
    if not may_submit(page, request.user):
        raise PermissionDenied
    try:
        with transaction.atomic():
            # A draft revision made of the translated segments (the source's text where a
            # segment is not translated yet), as "Publish" would make it, unpublished.
            translation.save_target(user=request.user, publish=False)
            page.refresh_from_db()
            page.get_workflow().start(page, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "The %(language)s translation is submitted for moderation. A moderator "
                "reviews it and publishes it; until then it is not on the site."
            )
            % {"language": translation.target_locale.get_display_name()},
        )
    return redirect("wagtailadmin_pages:edit", page.pk)
