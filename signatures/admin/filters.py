"""The choices beside the moderation list, as modeladmin draws them.

They filter nothing themselves: the list's rows are the shared listing
(selectors.SignatureFilterSet), which reads the same parameters.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.admin import SimpleListFilter
from django.contrib.admin.filters import ListFilter
from django.db import connection
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from ..models import Signature
from ..selectors import parse_day


class ChoicesOnly:
    def queryset(self, request, queryset):
        return queryset  # the shared listing filters (selectors.SignatureFilterSet)


class ConfirmedFilter(ChoicesOnly, SimpleListFilter):
    """Whether the supporter has confirmed their address (double opt-in)."""

    title = _("confirmation")
    parameter_name = "confirmed"

    def lookups(self, request, model_admin):
        return [("yes", _("Confirmed")), ("no", _("Awaiting confirmation"))]


class StatusFilter(ChoicesOnly, SimpleListFilter):
    """The status, its choices read as the other filters' do ("Counted"); the labels
    themselves stay lower case, as they also sit inside sentences ("3 marked counted")."""

    title = _("status")
    parameter_name = "status__exact"  # Django's own filter's, which links and exports keep

    def lookups(self, request, model_admin):
        return [(status.value, capfirst(status.label)) for status in Signature.Status]


class PageLanguageFilter(ChoicesOnly, SimpleListFilter):
    """Which of a campaign's translations the action was taken on, by its language."""

    title = _("language of the page")
    parameter_name = "page_language"

    def lookups(self, request, model_admin):
        return [(code, translation.gettext(name)) for code, name in settings.LANGUAGES]


def countries_in_use() -> list[str]:
    """The distinct countries signatures carry, by a loose index scan: one index probe per
    country rather than a pass over every row."""
    table = Signature._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH RECURSIVE used(country) AS (
                SELECT MIN(country) FROM {table}
                UNION ALL
                SELECT (SELECT MIN(country) FROM {table} WHERE country > used.country)
                FROM used WHERE used.country IS NOT NULL
            )
            SELECT country FROM used WHERE country IS NOT NULL AND country <> ''
            """  # noqa: S608 - the table name is ours, nothing comes from the request
        )
        return [row[0] for row in cursor.fetchall()]


class CountryFilter(ChoicesOnly, SimpleListFilter):
    title = _("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        return sorted(
            ((code, countries.name(code) or code) for code in countries_in_use()),
            key=lambda choice: str(choice[1]),
        )


class SignedBetweenFilter(ChoicesOnly, ListFilter):
    """A date range (from, until; both days included), entered in a small form."""

    title = _("date signed")
    template = "signatures/admin/date_range_filter.html"
    parameters = ("signed_from", "signed_until")

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.values = {}
        for name in self.parameters:
            value = params.pop(name, None)
            if isinstance(value, list):
                value = value[-1]
            self.values[name] = parse_day(value)
            if value and self.values[name] is None:
                say(
                    request,
                    _("“%(value)s” is no date (YYYY-MM-DD): the list is not limited by it.")
                    % {"value": value},
                )
        first, last = self.values["signed_from"], self.values["signed_until"]
        if first and last and first > last:
            say(request, _("The dates signed end before they begin, so no signature is listed."))

    def has_output(self):
        return True

    def expected_parameters(self):
        return list(self.parameters)

    def choices(self, changelist):
        # The form keeps the list's other parameters (as the view cleaned them) as hidden
        # fields.
        kept = [
            (key, value)
            for key, values in changelist.params.lists()
            if key not in self.parameters
            for value in values
        ]
        yield {"kept": kept, "values": self.values}


def say(request, message) -> None:
    """A warning above the list (quietly nothing for a list rebuilt outside a request)."""
    messages.warning(request, message, fail_silently=True)


class UndeclaredParameters(ChoicesOnly, ListFilter):
    """Last among the list's filters: claims every parameter no filter before it took.

    modeladmin would otherwise apply them as raw lookups: `?email=…` would search by a
    personal field from the URL (the search box exists so that it does not), and a
    misspelt one would be a 500. They are collected in `found` for the view to drop.
    """

    title = ""

    def __init__(self, request, params, model, model_admin, *, found: set):
        super().__init__(request, params, model, model_admin)
        found.update(params)
        params.clear()

    def has_output(self):
        return False

    def expected_parameters(self):
        return []
