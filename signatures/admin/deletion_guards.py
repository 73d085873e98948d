"""Campaigns that were signed and targets that were written to are not deleted.

A signature keeps its campaign and a delivery its target (on_delete=PROTECT): supporters'
actions and the record of every letter sent outlive an editor's tidying up. Wagtail's
delete screens cannot know that (these links are not in its reference index), so the
deletion would end in a server error, its message listing the supporters. These hooks
refuse it first and say what to do instead.
"""

from functools import reduce
from operator import or_

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.models import Page

from campaigns.models import Target

from ..models import Delivery, Signature


@hooks.register("before_delete_page")
def keep_signed_campaigns(request, page):
    return refuse_signed_pages(request, [page])


@hooks.register("before_delete_snippet")
def keep_targets_written_to(request, instances):
    return refuse_targets_written_to(request, instances)


@hooks.register("before_bulk_action")
def keep_in_bulk(request, action_type, objects, action):
    if action_type != "delete":
        return None
    if pages := [item for item in objects if isinstance(item, Page)]:
        return refuse_signed_pages(request, pages)
    return refuse_targets_written_to(request, objects)


def refuse_signed_pages(request, pages):
    """Refuse if any signature belongs to these pages or to a page below them."""
    below = reduce(or_, (Q(campaign__path__startswith=page.path) for page in pages))
    signed = Signature.objects.filter(below).count()
    if not signed:
        return None
    messages.error(
        request,
        ngettext(
            "This cannot be deleted: %(count)s signature belongs to it or to a page "
            "below it. Unpublish the campaign instead; signatures stay for moderation.",
            "This cannot be deleted: %(count)s signatures belong to it or to pages "
            "below it. Unpublish the campaign instead; signatures stay for moderation.",
            signed,
        )
        % {"count": signed},
    )
    return redirect("wagtailadmin_explore", pages[0].get_parent().pk)


def refuse_targets_written_to(request, instances):
    """Refuse if letters were sent, or are owed, to any of these targets."""
    targets = [item for item in instances if isinstance(item, Target)]
    letters = Delivery.objects.filter(target__in=targets).count() if targets else 0
    if not letters:
        return None
    messages.error(
        request,
        ngettext(
            "This cannot be deleted: %(count)s letter to this target is on record. "
            "Remove the target from its campaigns instead.",
            "This cannot be deleted: %(count)s letters to this target are on record. "
            "Remove the target from its campaigns instead.",
            letters,
        )
        % {"count": letters},
    )
    return redirect(reverse(Target.snippet_viewset.get_url_name("list")))
