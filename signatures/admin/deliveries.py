"""The letters to targets, for admins: what failed and why, and sending them again; and
the actions whose letters wait for a representative to write to (no delivery yet).

A delivery belongs to a supporter's signature, so the list shows no supporter data (not
even the email the letter replies to): it links to the signature's detail, which checks
its own permission.
"""

import django_filters
from django import forms
from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic.models import IndexView

from ..models import Delivery, Signature
from ..services import redelivery
from .forms import RowIdsField
from .permissions import MODERATE, VIEW, permission_required
from .views import safe_next

INDEX = "signatures_admin:deliveries"


def _campaigns(request):
    from campaigns.models import CampaignPage

    return CampaignPage.objects.order_by("title")


def _representatives(request):
    from campaigns.models import Representative

    return Representative.objects.order_by("name", "district")


def _directories(request):
    from campaigns.models import Directory

    return Directory.objects.all()


class DeliveryFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(
        label=_("State"),
        # Failed first: the reason to open this screen.
        choices=[
            (state, state.label)
            for state in (
                Delivery.State.FAILED,
                Delivery.State.PENDING,
                Delivery.State.SENT,
                Delivery.State.WITHHELD,
            )
        ],
        empty_label=_("Any state"),
    )
    outcome = django_filters.ChoiceFilter(
        label=_("Provider's report"), choices=Delivery.Outcome.choices, empty_label=_("Any report")
    )
    campaign = django_filters.ModelChoiceFilter(
        label=_("Campaign"), field_name="signature__campaign", queryset=_campaigns
    )
    # The letters to one supporter's representative, or to any of a directory's.
    representative = django_filters.ModelChoiceFilter(
        label=_("Representative"), field_name="target", queryset=_representatives
    )
    directory = django_filters.ModelChoiceFilter(
        label=_("Directory"), field_name="target__directory", queryset=_directories
    )

    class Meta:
        model = Delivery
        fields = []


def reported(delivery) -> str:
    """What the email provider said after accepting the letter (empty over plain SMTP)."""
    if not delivery.outcome:
        return ""
    text = delivery.get_outcome_display()
    if delivery.outcome == Delivery.Outcome.BOUNCED:
        text = _("%(outcome)s: letters to this target bounce, check its address") % {
            "outcome": text
        }
    return f"{text} ({delivery.outcome_reason})" if delivery.outcome_reason else text


class SelectColumn(Column):
    """A tick box for each failed delivery, for the retry form above the table."""

    cell_template_name = "signatures/admin/delivery_select_cell.html"


class DeliveryIndexView(IndexView):
    model = Delivery
    page_title = _("Deliveries")
    header_icon = "mail"
    template_name = "signatures/admin/deliveries.html"
    index_url_name = INDEX
    index_results_url_name = "signatures_admin:deliveries_results"
    filterset_class = DeliveryFilterSet
    # Checked by the URL's decorator (signature permissions), not Delivery's own.
    any_permission_required = None
    default_ordering = "-created_at"
    paginate_by = 50

    @property
    def columns(self):
        columns = [
            TitleColumn(
                "signature",
                label=_("Signature"),
                accessor=lambda delivery: _("Signature %(pk)s") % {"pk": delivery.signature_id},
                get_url=lambda delivery: reverse(
                    "signatures_signature_modeladmin_inspect", args=[delivery.signature_id]
                ),
            ),
            Column("campaign", label=_("Campaign"), accessor="signature.campaign.title"),
            Column("target", label=_("Target")),
            Column("state", label=_("State"), accessor="get_state_display", sort_key="state"),
            Column("attempts", label=_("Attempts"), sort_key="attempts"),
            Column("last_error", label=_("Last error")),
            Column("outcome", label=_("Provider's report"), accessor=reported, sort_key="outcome"),
            DateColumn("created_at", label=_("Created"), sort_key="created_at"),
            DateColumn("sent_at", label=_("Sent"), sort_key="sent_at"),
        ]
        if self.request.user.has_perm(MODERATE):
            columns.insert(0, SelectColumn("select", label=_("Select")))
        return columns

    def get_base_queryset(self):
        return Delivery.objects.select_related("target", "signature__campaign")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            user_can_retry=self.request.user.has_perm(MODERATE),
            waiting_for_representative=waiting_for_representative(),
            **kwargs,
        )


def waiting_for_representative() -> list[tuple[str, str, int]]:
    """The actions whose letters wait for a representative to write to (not dispatched:
    services.dispatch), by campaign and why: (campaign, reason, actions). Counts only."""
    reasons = dict(Signature._meta.get_field("waits_for_representative").choices)
    rows = (
        Signature.objects.filter(dispatched_at__isnull=True)
        .exclude(waits_for_representative="")
        .values_list("campaign__title", "waits_for_representative")
        .annotate(actions=Count("pk"))
        .order_by("campaign__title", "waits_for_representative")
    )
    return [(title, reasons[reason], actions) for title, reason, actions in rows]


index = permission_required(VIEW)(DeliveryIndexView.as_view())
index_results = permission_required(VIEW)(DeliveryIndexView.as_view(results_only=True))


class RetryForm(forms.Form):
    delivery = RowIdsField(error_messages={"required": _("Select at least one failed delivery.")})


@permission_required(MODERATE)
@require_POST
def retry_deliveries(request):
    """Send the selected failed deliveries again."""
    form = RetryForm(request.POST)
    if form.is_valid():
        selected = form.cleaned_data["delivery"]
        count = redelivery.retry_letters(selected, request.user)
        messages.success(
            request,
            ngettext(
                "%(count)s delivery will be sent again.",
                "%(count)s deliveries will be sent again.",
                count,
            )
            % {"count": count},
        )
        if left := len(set(selected)) - count:
            messages.warning(
                request,
                ngettext(
                    "%(count)s was left as it is: only failed letters of signatures that "
                    "count are sent again (not those sent, pending, or withheld).",
                    "%(count)s were left as they are: only failed letters of signatures that "
                    "count are sent again (not those sent, pending, or withheld).",
                    left,
                )
                % {"count": left},
            )
    else:
        for error in form.errors["delivery"]:
            messages.error(request, error)
    return redirect(safe_next(request, reverse(INDEX)))
