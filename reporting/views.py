"""The statistics screens: one campaign's figures (and their CSV), and the live campaigns.

Totals by status and top countries as before; views, actions and conversion per day drawn
as an SVG chart made here (no JavaScript), with the same figures in a table beside it.
"""

import csv
import re

from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import gettext as _
from django_countries import countries as country_names

from signatures.admin.permissions import can_see_statistics, permission_required
from signatures.models import Signature
from signatures.services.export import FORMULA_START

from . import figures as figures_of

#: Each breakdown's heading, and how its "none" value reads.
BREAKDOWNS = {
    "source": (gettext_lazy("By source"), gettext_lazy("Direct or unknown")),
    # The share links' visits and actions (utm_medium "share"), by network.
    "shares": (gettext_lazy("From shares, by network"), gettext_lazy("Not given")),
    "partner_site": (gettext_lazy("By partner site"), gettext_lazy("This site")),
    "utm_campaign": (gettext_lazy("By utm_campaign"), gettext_lazy("Not given")),
    "language": (gettext_lazy("By browser language"), gettext_lazy("Not given")),
    # Which of the campaign's translations was seen and acted on.
    "page_language": (gettext_lazy("By language of the page"), gettext_lazy("Not recorded")),
}
CHART_WIDTH, CHART_HEIGHT, CHART_TOP = 720, 200, 16
#: The widest a day's bar is drawn, with few days to show.
CHART_MAX_BAR = 48


def _campaign(campaign_id):
    """The campaign, by any of its translations' ids: its figures are its source page's,
    against which every translation's actions are recorded."""
    from campaigns.models import CampaignPage

    page = get_object_or_404(CampaignPage, pk=campaign_id)
    source = page.counter_source.pk
    return page if source == page.pk else CampaignPage.objects.get(pk=source)


def _label(dimension, value, none):
    if not value:
        return none
    if dimension == "page_language":
        try:
            return f"{get_language_info(value)['name_translated']} ({value})"
        except KeyError:  # a locale Django has no name for
            return value
    return value


def day_chart(days) -> dict:
    """Bars for the views and the actions of each day, scaled to the busiest day's views."""
    highest = max((max(row.views, row.actions) for row in days), default=0) or 1
    step = CHART_WIDTH / max(len(days), 1)
    # A few days' bars stay bars: a day or two of data must not fill the chart with blocks.
    width = max(min(step * 0.8, CHART_MAX_BAR), 1)
    scale = (CHART_HEIGHT - CHART_TOP) / highest

    def bar(index, value, bar_width):
        """A bar centred in its day's place: the actions' narrower one inside the views'."""
        height = value * scale
        return {
            "x": round(index * step + (step - bar_width) / 2, 1),
            "y": round(CHART_HEIGHT - height, 1),
            "height": round(height, 1),
        }

    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "full_height": CHART_HEIGHT + 16,  # the dates under the bars
        "middle": CHART_WIDTH // 2,  # where one day's date goes, under its bar
        "first": days[0].value if days else None,
        "last": days[-1].value if days else None,
        "bar_width": round(width, 1),
        "action_width": round(width / 2, 1),
        "highest": highest,
        "bars": [
            {
                "row": row,
                "views": bar(i, row.views, round(width, 1)),
                "actions": bar(i, row.actions, round(width / 2, 1)),
            }
            for i, row in enumerate(days)
        ],
    }


def _breakdowns(figures):
    return [
        (
            dimension,
            heading,
            [(_label(dimension, row.value, none), row) for row in figures.breakdowns[dimension]],
        )
        for dimension, (heading, none) in BREAKDOWNS.items()
    ]


@permission_required(can_see_statistics)
def statistics(request, campaign_id):
    """Views, actions and conversion per day and by source; totals by status; countries."""
    campaign = _campaign(campaign_id)
    rows = Signature.objects.filter(campaign=campaign)
    by_status = dict(rows.values_list("status").annotate(n=Count("id")).order_by())
    totals = [(status.label, by_status.get(status.value, 0)) for status in Signature.Status]
    countries = (
        rows.counted()
        .exclude(country="")
        .values_list("country")
        .annotate(n=Count("id"))
        .order_by("-n", "country")[:10]
    )
    figures = figures_of.campaign_figures(campaign)
    context = {
        "campaign": campaign,
        "title": _("Statistics: %(title)s") % {"title": campaign.title},
        "totals": totals,
        "total": sum(n for _label, n in totals),
        # The public counter: counted actions plus the offset the editors set.
        "offset": campaign.counter_offset,
        "shown": by_status.get(Signature.Status.COUNTED, 0) + campaign.counter_offset,
        "most_days": figures_of.MOST_DAYS,
        "figures": figures,
        "chart": day_chart(figures.days),
        "breakdowns": _breakdowns(figures),
        "countries": [(country_names.name(code) or code, n) for code, n in countries],
        "letters": figures_of.letters_by_target(campaign),
    }
    if campaign.writes_to_representatives:
        people, districts = figures_of.actions_by_representative(campaign)
        context |= {"representatives": people, "districts": districts}
    return TemplateResponse(request, "reporting/statistics.html", context)


def _percent(value) -> str:
    return "" if value is None else f"{value}"


@permission_required(can_see_statistics)
def statistics_csv(request, campaign_id):
    """The statistics page's figures, one line per day and per breakdown value."""
    campaign = _campaign(campaign_id)
    figures = figures_of.campaign_figures(campaign)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"statistics-{slugify(campaign.slug)}-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # spreadsheet programs read UTF-8 only after a BOM
    writer = csv.writer(response)
    writer.writerow([_("figure"), _("value"), _("views"), _("actions"), _("conversion %")])
    writer.writerow([_("total"), "", figures.views, figures.actions, _percent(figures.conversion)])
    for row in figures.days:
        writer.writerow(
            [_("day"), row.value.isoformat(), row.views, row.actions, _percent(row.conversion)]
        )
    for dimension, _heading, rows in _breakdowns(figures):
        for label, row in rows:
            # A utm tag is the visitors' text: never let a spreadsheet run it as a formula.
            text = f"'{label}" if re.match(FORMULA_START, str(label)) else str(label)
            writer.writerow([dimension, text, row.views, row.actions, _percent(row.conversion)])
    writer.writerow([_("supporters"), _("first time"), "", figures.first_time, ""])
    writer.writerow([_("supporters"), _("acted on an earlier campaign"), "", figures.returning, ""])
    return response


@permission_required(can_see_statistics)
def live_campaigns(request):
    """One line per live campaign: actions today, in 7 days and in all, conversion, goal."""
    context = {"rows": figures_of.live_campaigns(), "title": _("Live campaigns")}
    return TemplateResponse(request, "reporting/live_campaigns.html", context)
