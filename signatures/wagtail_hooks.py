from django.contrib import messages
from django.urls import include, path, reverse, reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import LogFormatter

from campaigns import directory_hooks, page_parts
from cms.base.admin_permissions import PermittedMenuItem
from signatures.admin import (
    deletion_guards,  # noqa: F401  (hooks that keep signed campaigns and targets)
    delivery_urls,
    replies,  # noqa: F401  (the answers' screens register themselves)
    updates,  # noqa: F401  (the updates' screens register themselves)
    webhooks,  # noqa: F401  (the webhook screens register themselves)
)
from signatures.answers import answers_for
from signatures.count_breakdown import breakdown
from signatures.counter import displayed_count
from signatures.forms import SignatureForm

from . import log_actions
from .admin import urls as admin_urls
from .admin.listing import signature_admin
from .admin.menu import ITEMS_HOOK
from .admin.permissions import EXPORT, MODERATE, VIEW
from .services import letters_owed, target_approval, tracking
from .services.permissions import may_see_delivery

signature_admin.register_with_wagtail()


@hooks.register("register_admin_urls")
def register_signature_admin_urls():
    screens = (admin_urls.every_urlpattern(), admin_urls.app_name)
    return [path("signatures/", include(screens, namespace="signatures_admin"))]


@hooks.register("register_admin_urls")
def register_delivery_admin_urls():
    return [path("delivery/", include(delivery_urls, namespace="delivery_admin"))]


@hooks.register("register_admin_menu_item")
def signatures_menu():
    """The moderators' screens under one menu; hidden from anyone who may open none."""
    screens = Menu(
        register_hook_name=ITEMS_HOOK,  # reporting's Live campaigns
        items=[
            signature_admin.get_menu_item(order=100),
            PermittedMenuItem(
                _("Deliveries"),
                # Opens on the failures: what an admin comes here for.
                format_lazy("{}?state=failed", reverse_lazy("signatures_admin:deliveries")),
                name="deliveries",
                icon_name="mail",
                order=200,
                permission=VIEW,
            ),
            PermittedMenuItem(
                _("My exports"),
                reverse_lazy("signatures_admin:exports"),
                name="exports",
                icon_name="download",
                order=300,
                permission=EXPORT,
            ),
            PermittedMenuItem(
                _("Data-protection requests"),
                reverse_lazy("signatures_admin:data_requests"),
                name="data-requests",
                icon_name="lock",
                order=400,
                permission=MODERATE,
            ),
            PermittedMenuItem(
                _("Suppressed addresses"),
                reverse_lazy("signatures_admin:suppressions"),
                name="suppressions",
                icon_name="mail",
                order=450,
                permission=MODERATE,
            ),
        ],
    )
    return SubmenuMenuItem(_("Signatures"), screens, name="signatures", icon_name="form", order=250)


def _is_campaign(page):
    from campaigns.models import CampaignPage

    return issubclass(page.specific_class or type(page), CampaignPage)


def _may_see_delivery(page, user):
    return _is_campaign(page) and may_see_delivery(user, page)


@hooks.register("register_page_header_buttons")
def delivery_header_button(page, user, view_name, next_url=None):
    if _may_see_delivery(page, user):
        url = reverse("delivery_admin:delivery_report", args=[page.pk])
        yield Button(_("Proof of delivery"), url, icon_name="mail", priority=85)


@hooks.register("register_page_header_buttons")
def update_sending_header_button(page, user, view_name, next_url=None):
    if _is_campaign(page) and updates.may_see(user, page):
        url = reverse("delivery_admin:update_sending", args=[page.pk])
        yield Button(_("Updates to supporters"), url, icon_name="mail", priority=86)


class CountFormatter(LogFormatter):
    """'Rejected 12 signatures', with the rule when there was one."""

    template = ""

    #: How each part of an invalidation rule reads in the log.
    RULE_PARTS = {
        "campaign_id": _("this campaign"),
        "email_domain": _("email domain"),
        "ip_address": _("IP address"),
        "signed_from": _("signed from"),
        "signed_until": _("signed until"),
    }

    def format_message(self, log_entry):
        data = log_entry.data or {}
        message = self.template % {"count": data.get("count", 0)}
        if rule := data.get("rule"):
            message += (
                " (" + ", ".join(self.rule_part(key, value) for key, value in rule.items()) + ")"
            )
        return message

    def rule_part(self, key, value) -> str:
        label = self.RULE_PARTS.get(key, key)
        # The campaign is the one the entry is logged on; of an IP address only its kind is
        # kept (moderation.Rule.for_log).
        if key in ("campaign_id", "ip_address"):
            return str(label)
        return f"{label}: {value}"


@hooks.register("register_log_actions")
def register_moderation_log_actions(actions):
    for action, label, template in [
        (
            log_actions.APPROVE,
            _("Approve signatures"),
            ngettext_lazy("Approved %(count)s signature", "Approved %(count)s signatures", "count"),
        ),
        (
            log_actions.REJECT,
            _("Reject signatures"),
            ngettext_lazy("Rejected %(count)s signature", "Rejected %(count)s signatures", "count"),
        ),
        (
            log_actions.MARK_SPAM,
            _("Mark signatures as spam"),
            ngettext_lazy(
                "Marked %(count)s signature as spam", "Marked %(count)s signatures as spam", "count"
            ),
        ),
        (
            log_actions.INVALIDATE,
            _("Invalidate signatures"),
            ngettext_lazy(
                "Invalidated %(count)s signature", "Invalidated %(count)s signatures", "count"
            ),
        ),
        (
            log_actions.EXPORT,
            _("Export signatures"),
            ngettext_lazy("Exported %(count)s signature", "Exported %(count)s signatures", "count"),
        ),
        (
            log_actions.RETRY_DELIVERIES,
            _("Retry deliveries"),
            ngettext_lazy(
                "Sent %(count)s failed delivery again",
                "Sent %(count)s failed deliveries again",
                "count",
            ),
        ),
    ]:
        actions.register_action(action)(
            type("Formatter", (CountFormatter,), {"label": label, "template": template})
        )
    actions.register_action(
        log_actions.ERASE_SUPPORTER, _("Erase a supporter"), _("Erased a supporter's personal data")
    )
    actions.register_action(
        log_actions.LIFT_SUPPRESSION,
        _("Lift a suppression"),
        _("Lifted the suppression of an address: emails to it go again"),
    )
    actions.register_action(
        log_actions.REVOKE_REPLY_LINKS,
        _("Withdraw reply links"),
        _("Withdrew every reply link in this target's letters"),
    )
    actions.register_action(
        log_actions.SUBJECT_ACCESS,
        _("Subject access request"),
        _("Exported everything held about a supporter"),
    )


class MilestoneFormatter(LogFormatter):
    label = _("Reach a milestone")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return _("Reached the milestone of %(threshold)s (count %(count)s): targets told") % {
            "threshold": data.get("threshold", ""),
            "count": data.get("count", ""),
        }


class RepresentativeFoundFormatter(LogFormatter):
    label = _("Add a representative found by the lookup service")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return _("Added %(representative)s, found by the lookup service") % {
            "representative": data.get("representative", "")
        }


@hooks.register("register_log_actions")
def register_lookup_and_milestone_log_actions(actions):
    actions.register_action(log_actions.KEEP_REPRESENTATIVE)(RepresentativeFoundFormatter)
    actions.register_action(log_actions.MILESTONE)(MilestoneFormatter)


@hooks.register("before_edit_page")
def warn_of_bouncing_targets(request, page):
    """Letters to a target whose address hard-bounced are lost: tell the editor to check it.

    The warning goes once its address changes (the suppression list holds the old one).
    """
    if request.method != "GET" or not _is_campaign(page):
        return
    for target in tracking.bouncing_targets(page.specific.targets):
        messages.warning(
            request,
            _("Letters to %(target)s bounce: check the address %(email)s.")
            % {"target": target, "email": target.email},
        )


# A campaign's new (draft) targets travel with it through moderation (issue 28, finding 7):
# the moderator is told where they review it, approving or publishing the campaign publishes
# them, and the editor who submits it is told what happens next.


@hooks.register("before_edit_page")
def tell_of_targets_awaiting_approval(request, page):
    if request.method == "GET" and _is_campaign(page):
        if message := target_approval.reviewer_message(page.specific, request.user):
            messages.warning(request, message)


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def tell_the_editor_what_happens_to_new_targets(request, page):
    submitted = request.POST.get("action-submit") or request.POST.get("action-restart-workflow")
    if submitted and _is_campaign(page):
        if message := target_approval.submitted_message(page.specific):
            messages.info(request, message)


@hooks.register("after_publish_page")
def publish_new_targets_with_the_campaign(request, page):
    if _is_campaign(page):
        target_approval.publish_draft_targets(page.specific, request.user)


# Approving a campaign in a workflow publishes them too: signatures/apps.py connects
# target_approval.publish_with_approved_campaign to workflow_approved.


# What a campaign page shows of its actions (campaigns.page_parts: campaigns never imports
# signatures, which builds on it).
hooks.register(page_parts.ACTION_FORM, SignatureForm)
hooks.register(page_parts.ACTION_COUNT, displayed_count)
hooks.register(page_parts.ANSWERS, answers_for)
hooks.register(page_parts.COUNT_BREAKDOWN, breakdown)

# The letters owed to representatives a directory's refresh removes
# (campaigns.directory_hooks: the import lives in campaigns, which never imports signatures).
hooks.register(directory_hooks.LETTERS_OWED, letters_owed.letters_owed)
hooks.register(directory_hooks.LETTERS_HELD, letters_owed.letters_held)
hooks.register(directory_hooks.HAND_OVER_LETTERS, letters_owed.hand_over)
hooks.register(directory_hooks.WRITTEN_TO, letters_owed.written_to)
