"""What works: a campaign's views, actions and conversion, per day and by source, and the
staff's overview of live campaigns. Read queries only (selectors), shared by the screens
and their CSV.

Actions are the counted signatures, those the public counter counts. Views are the
database's daily rows plus the views not flushed yet (page_views.pending), so the figures
are current at once. Whether supporters acted on an earlier campaign is worked out from
the duplicate key (`email_key`) inside the database and only ever shown as a count.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from campaigns.progress import goal_for
from campaigns.sharing import SHARE_MEDIUM
from insights import page_views, sources
from insights.models import PageViewDay
from signatures.models import Delivery, Signature

#: Per-day figures cover the latest this many days.
MOST_DAYS = 60
#: Each breakdown lists its this many largest values.
MOST_VALUES = 25


def conversion(actions: int, views: int) -> float | None:
    """Actions per view, as a percentage; None without views to divide by."""
    return round(actions * 100 / views, 1) if views else None


@dataclass
class Row:
    value: object  # a day, or a breakdown's value ("" for none)
    views: int = 0
    actions: int = 0

    @property
    def conversion(self) -> float | None:
        return conversion(self.actions, self.views)


@dataclass
class CampaignFigures:
    days: list[Row]
    breakdowns: dict[str, list[Row]]  # sources.DIMENSIONS -> rows, most actions first
    views: int = 0
    actions: int = 0
    first_time: int = 0
    returning: int = 0
    pending_views: int = 0  # of `views`, not flushed to the database yet

    @property
    def conversion(self) -> float | None:
        return conversion(self.actions, self.views)


def _action_values(counted, dimension: str) -> Counter:
    if dimension == "source":
        found = Counter()
        rows = counted.values_list("utm_source", "utm_medium", "referrer_domain")
        for utm_source, utm_medium, referrer, n in rows.annotate(n=Count("id")).order_by():
            found[sources.channel(utm_source, utm_medium, referrer)] += n
        return found
    return Counter(dict(counted.values_list(dimension).annotate(n=Count("id")).order_by()))


def shares_among(source_rows: list[Row]) -> list[Row]:
    """What the share links brought, one row per network: the sources tagged as shares
    ("facebook / share", campaigns.sharing), named by their network."""
    suffix = f" / {SHARE_MEDIUM}"
    return [
        Row(str(row.value).removesuffix(suffix), row.views, row.actions)
        for row in source_rows
        if str(row.value).endswith(suffix)
    ]


def campaign_figures(campaign, today: date | None = None) -> CampaignFigures:
    today = today or timezone.localdate()
    first_day = today - timedelta(days=MOST_DAYS - 1)
    counted = Signature.objects.filter(campaign=campaign).counted()
    stored = PageViewDay.objects.filter(campaign=campaign)
    waiting = page_views.pending(campaign.pk)

    views_by_day = Counter(
        dict(
            stored.filter(dimension="source", day__gte=first_day)
            .values_list("day")
            .annotate(n=Sum("views"))
            .order_by()
        )
    )
    views_by = {dimension: Counter() for dimension in sources.DIMENSIONS}
    for dimension, value, n in (
        stored.values_list("dimension", "value").annotate(n=Sum("views")).order_by()
    ):
        if dimension in views_by:
            views_by[dimension][value] += n
    for (_campaign, day, dimension, value), n in waiting.items():
        if dimension in views_by:
            views_by[dimension][value] += n
        if dimension == "source" and day >= first_day:
            views_by_day[day] += n

    actions_by_day = Counter(
        dict(
            counted.filter(created_at__date__gte=first_day)
            .annotate(day=TruncDate("created_at"))
            .values_list("day")
            .annotate(n=Count("id"))
            .order_by()
        )
    )
    busy_days = set(views_by_day) | set(actions_by_day)
    start = min(busy_days, default=today)
    days = [
        Row(day, views_by_day[day], actions_by_day[day])
        for day in (start + timedelta(days=n) for n in range((today - start).days + 1))
    ]

    breakdowns = {}
    for dimension in sources.DIMENSIONS:
        actions = _action_values(counted, dimension)
        views = views_by[dimension]
        rows = [Row(value, views[value], actions[value]) for value in set(views) | set(actions)]
        rows.sort(key=lambda row: (-row.actions, -row.views, str(row.value)))
        breakdowns[dimension] = rows[:MOST_VALUES]
        if dimension == "source":
            breakdowns["shares"] = shares_among(rows)

    returning = supporters_who_returned(campaign)
    total_actions = counted.count()
    return CampaignFigures(
        days=days,
        breakdowns=breakdowns,
        views=sum(views_by["source"].values()),
        actions=total_actions,
        first_time=total_actions - returning,
        returning=returning,
        pending_views=sum(n for key, n in waiting.items() if key[2] == "source"),
    )


def supporters_who_returned(campaign) -> int:
    """How many of the campaign's counted actions came from supporters who had acted on
    another campaign before (same duplicate key, any outcome but spam)."""
    earlier = Signature.objects.filter(
        email_key=OuterRef("email_key"), created_at__lt=OuterRef("created_at")
    ).exclude(Q(campaign=campaign) | Q(status=Signature.Status.SPAM) | Q(email_key=""))
    return (
        Signature.objects.filter(campaign=campaign)
        .counted()
        .filter(Exists(earlier))
        .exclude(email_key="")
        .count()
    )


@dataclass
class CampaignLine:
    """One live campaign's line in the overview."""

    campaign: object
    today: int
    week: int
    total: int
    week_views: int

    @property
    def week_conversion(self) -> float | None:
        return conversion(self.week, self.week_views)

    @property
    def shown(self) -> int:
        return self.total + self.campaign.counter_offset

    @property
    def goal(self) -> int:
        return goal_for(self.shown, self.campaign.counter_goal)

    @property
    def progress(self) -> int:
        """Percent of the goal the public counter has reached."""
        return min(100, self.shown * 100 // self.goal) if self.goal else 0


def live_campaigns(now=None) -> list[CampaignLine]:
    """Every published campaign that has not closed, busiest this week first: one query for
    the actions, one for the views."""
    from campaigns.models import CampaignPage

    now = now or timezone.now()
    today = timezone.localdate(now)
    midnight = timezone.make_aware(datetime.combine(today, time.min))
    week_start = today - timedelta(days=6)
    # One line per campaign: its translations' actions are its source page's.
    translated_from = CampaignPage.objects.filter(
        translation_key=OuterRef("translation_key"), pk__lt=OuterRef("pk")
    )
    campaigns = list(
        CampaignPage.objects.live()
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
        .exclude(Exists(translated_from))
        .order_by("title")
    )
    ids = [campaign.pk for campaign in campaigns]
    actions = {
        row["campaign"]: row
        for row in Signature.objects.filter(campaign__in=ids)
        .counted()
        .values("campaign")
        .annotate(
            total=Count("id"),
            today=Count("id", filter=Q(created_at__gte=midnight)),
            week=Count("id", filter=Q(created_at__gte=midnight - timedelta(days=6))),
        )
        .order_by()
    }
    views = Counter(
        dict(
            PageViewDay.objects.filter(campaign__in=ids, dimension="source", day__gte=week_start)
            .values_list("campaign")
            .annotate(n=Sum("views"))
            .order_by()
        )
    )
    for (campaign_id, day, dimension, _value), n in page_views.pending().items():
        if dimension == "source" and day >= week_start:
            views[campaign_id] += n
    rows = [
        CampaignLine(
            campaign,
            today=actions.get(campaign.pk, {}).get("today", 0),
            week=actions.get(campaign.pk, {}).get("week", 0),
            total=actions.get(campaign.pk, {}).get("total", 0),
            week_views=views[campaign.pk],
        )
        for campaign in campaigns
    ]
    rows.sort(key=lambda row: (-row.week, -row.total))
    return rows


def actions_by_representative(campaign) -> tuple[list[tuple], list[tuple]]:
    """Counted actions per representative (name, district, count) and per district
    (district, count), most first: from the letters each action owed its representatives."""
    letters = Delivery.objects.filter(
        signature__campaign=campaign,
        signature__status=Signature.Status.COUNTED,
        target__directory__isnull=False,
    ).exclude(state=Delivery.State.WITHHELD)
    people = (
        letters.values_list("target__salutation", "target__name", "target__district")
        .annotate(n=Count("signature", distinct=True))
        .order_by("-n", "target__name")[: MOST_VALUES * 4]
    )
    districts = (
        letters.values_list("target__district")
        .annotate(n=Count("signature", distinct=True))
        .order_by("-n", "target__district")[: MOST_VALUES * 4]
    )
    return (
        [(f"{salutation} {name}".strip(), district, n) for salutation, name, district, n in people],
        list(districts),
    )


@dataclass
class TargetLetters:
    target: str
    sent: int = 0
    waiting: int = 0
    failed: int = 0


def letters_by_target(campaign) -> list[TargetLetters]:
    """How the letters to each target stand (sent, waiting, failed), most letters first:
    whether the campaign's actions reach the people they are written to."""
    waiting = (Delivery.State.PENDING, Delivery.State.WITHHELD)
    found: dict[int, TargetLetters] = {}
    rows = (
        Delivery.objects.filter(signature__campaign=campaign)
        .values_list("target_id", "target__salutation", "target__name", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for target_id, salutation, name, state, n in rows:
        line = found.setdefault(target_id, TargetLetters(f"{salutation} {name}".strip()))
        if state == Delivery.State.SENT:
            line.sent += n
        elif state == Delivery.State.FAILED:
            line.failed += n
        elif state in waiting:
            line.waiting += n
    lines = sorted(
        found.values(), key=lambda line: (-(line.sent + line.waiting + line.failed), line.target)
    )
    return lines[:MOST_VALUES]
