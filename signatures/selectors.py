"""Read queries shared by screens, exports and workers.

The signature listing: the Signatures list's filters, search and ordering, as one
django-filter FilterSet. The moderation list shows its rows, the CSV export streams them
and the background export job writes them, each from the same parameters (a query
string), so the file holds what the moderator saw. A worker needs nothing but that string.
"""

import operator
from datetime import date, datetime, time, timedelta
from functools import reduce

import django_filters
from django import forms
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import MAX_PAGE_ID

from .models import Signature

#: What the search term is looked for in: each of its words in any of these.
SEARCH_FIELDS = ("first_name", "last_name", "email")
#: What the listing may be ordered by (`ordering=status,-created_at`); the newest first
#: otherwise, and always by id last so that pages never overlap.
ORDERABLE = ("created_at", "email", "campaign", "country", "status", "id", "pk")
DEFAULT_ORDERING = ("-created_at", "-pk")


class UnknownFilters(ValueError):
    """Parameters the listing does not have: dropping them would widen the selection."""


class InvalidFilters(ValueError):
    """A parameter's value the listing cannot use (a campaign id that is no number)."""


class PageIdField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if value and not (value.isascii() and value.isdigit() and int(value) <= MAX_PAGE_ID):
            raise forms.ValidationError(_("Not a campaign's id."))
        return value


class OrderingField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        fields = [field for field in value.split(",") if field] if value else []
        if any(field.removeprefix("-") not in ORDERABLE for field in fields):
            raise forms.ValidationError(_("The list cannot be ordered by that."))
        return fields


class PageIdFilter(django_filters.Filter):
    field_class = PageIdField


class FieldsOrderFilter(django_filters.Filter):
    field_class = OrderingField


class SignatureFilterSet(django_filters.FilterSet):
    """The Signatures list, by the parameter names its addresses carry.

    Each filter is backed by an index, so a million rows stay quick. A date that is no
    date, or a choice the list does not offer, leaves the list unlimited by it (the
    admin says so); a campaign id that is no number is an error (`InvalidFilters`).
    """

    campaign__page_ptr__exact = PageIdFilter(method="filter_campaign")
    page_language = django_filters.CharFilter(field_name="page_language")
    status__exact = django_filters.CharFilter(field_name="status")
    confirmed = django_filters.CharFilter(method="filter_confirmed")
    country = django_filters.CharFilter(field_name="country")
    signed_from = django_filters.CharFilter(method="filter_signed_from")
    signed_until = django_filters.CharFilter(method="filter_signed_until")
    q = django_filters.CharFilter(method="search")
    ordering = FieldsOrderFilter(method="order")

    class Meta:
        model = Signature
        fields = []

    def filter_campaign(self, queryset, name, value):
        """A campaign's actions, whichever of its translations is named: all of them are
        recorded against its source page."""
        from campaigns.models import CampaignPage

        page = CampaignPage.objects.filter(pk=value).first()
        return queryset.filter(campaign_id=page.counter_source.pk if page else value)

    def filter_confirmed(self, queryset, name, value):
        if value == "yes":
            return queryset.exclude(status=Signature.Status.PENDING)
        if value == "no":
            return queryset.filter(status=Signature.Status.PENDING)
        return queryset

    def filter_signed_from(self, queryset, name, value):
        day = parse_day(value)
        return queryset.filter(created_at__gte=start_of(day)) if day else queryset

    def filter_signed_until(self, queryset, name, value):
        day = parse_day(value)
        return (
            queryset.filter(created_at__lt=start_of(day + timedelta(days=1))) if day else queryset
        )

    def search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                reduce(
                    operator.or_, (Q(**{f"{field}__icontains": word}) for field in SEARCH_FIELDS)
                )
            )
        return queryset

    def order(self, queryset, name, fields):
        by_id = {"id", "-id", "pk", "-pk"} & set(fields)
        return queryset.order_by(*fields, *([] if by_id else ["-pk"]))

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset.order_by(*DEFAULT_ORDERING))


def signature_listing(query: str):
    """The signatures the list shows for these parameters (a query string), in its order.

    Raises UnknownFilters for a parameter it does not have, InvalidFilters for a value it
    cannot use.
    """
    params = QueryDict(query)
    if unknown := set(params) - set(SignatureFilterSet.base_filters):
        raise UnknownFilters(sorted(unknown))
    listing = SignatureFilterSet(params, queryset=Signature.objects.select_related("campaign"))
    if not listing.is_valid():
        raise InvalidFilters(sorted(listing.errors))
    return listing.qs


def parse_day(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
