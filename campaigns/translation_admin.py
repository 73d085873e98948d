"""Translations go through moderation like any page (issue 28, finding 3).

"Translate this page" makes a draft (settings.WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE).
wagtail-localize's editor offers only "Publish in <language>", to those who may publish; an
Editor, who may not, submits the translation for moderation with a button above the editor: the
translated segments become a draft revision, which enters the page's workflow, as the page
editor's "Submit for moderation" does. A moderator then approves (publishes) it, from the
dashboard or with "Publish in <language>".

Two more of wagtail-localize's screens would publish for whoever may translate or edit, so
they ask here for the right to publish first: "Sync translated pages" with "Publish
immediately" (update_translations), and "Convert to alias page" (convert_to_alias), which
gives the page its source's content and live status.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.models import DraftStateMixin, Page
from wagtail.snippets.permissions import get_permission_name
from wagtail_localize.models import Translation
from wagtail_localize.views import convert
from wagtail_localize.views.update_translations import UpdateTranslationsView

from cms.base.admin_permissions import forbidden_not_redirected


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


def may_publish(instance, user) -> bool:
    """Whether `user` may publish `instance`, a translation's page or snippet."""
    if isinstance(instance, Page):
        return instance.permissions_for_user(user).can_publish()
    if isinstance(instance, DraftStateMixin):
        return user.has_perm(get_permission_name("publish", type(instance)))
    return True  # saved is published: whoever may edit it


NOT_PUBLISHED_BY_SYNC = gettext_lazy(
    "You may not publish these translations: sync them without publishing, then submit "
    "each translation for moderation from its editor."
)


class UpdateTranslations(UpdateTranslationsView):
    """wagtail-localize's "Sync translated pages", whose "Publish immediately" publishes
    every translation as whoever asks: only for those who may publish each of them."""

    def may_publish_all(self) -> bool:
        return all(
            may_publish(translation.get_target_instance(), self.request.user)
            for translation in self.object.translations.filter(enabled=True)
        )

    def get_form(self):
        form = super().get_form()
        if not self.may_publish_all():
            form.fields["publish_translations"].help_text = NOT_PUBLISHED_BY_SYNC
        return form

    def post(self, request, **kwargs):
        publishing = forms.BooleanField().to_python(request.POST.get("publish_translations"))
        if publishing and not self.may_publish_all():
            raise PermissionDenied(NOT_PUBLISHED_BY_SYNC)
        return super().post(request, **kwargs)


update_translations = forbidden_not_redirected(UpdateTranslations.as_view())


@forbidden_not_redirected
def convert_to_alias(request, page_id: int):
    """wagtail-localize's "Convert to alias page": the page takes its source's content and
    live status, and follows the source's publishing from then on; for those who may
    publish it."""
    page = get_object_or_404(Page, pk=page_id)
    if not may_publish(page, request.user):
        raise PermissionDenied
    return convert.convert_to_alias(request, page_id)
