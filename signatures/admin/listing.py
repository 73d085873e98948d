"""The signature list and detail screens (wagtail-modeladmin), kept quick on a million rows.

The list's rows are the shared listing (selectors.SignatureFilterSet): modeladmin's own
filters only draw the choices beside it and claim the parameters they understand.
"""

from functools import partial

from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail_modeladmin.options import ModelAdmin
from wagtail_modeladmin.views import IndexView, InspectView, WMABaseView

from .. import selectors, supporter_fields
from ..models import Signature
from . import permissions, search
from .filters import (
    ConfirmedFilter,
    CountryFilter,
    PageLanguageFilter,
    SignedBetweenFilter,
    StatusFilter,
    UndeclaredParameters,
)
from .forms import MAX_ID

TOTAL_CACHE_KEY = "clarion:signatures:total"
#: The campaign filter's parameter, as modeladmin names it.
CAMPAIGN_VAR = "campaign__page_ptr__exact"


class CountedPaginator(Paginator):
    """A paginator told the count it would otherwise ask the database for again."""

    def __init__(self, object_list, per_page, count):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self):
        return self._known_count


class SignatureIndexView(IndexView):
    IGNORED_PARAMS = (*IndexView.IGNORED_PARAMS, search.KEY_VAR)
    SEARCH_MAX_LENGTH = 254  # an email address at most

    def get_context_data(self, **kwargs):
        # modeladmin counts the table, the filtered rows and the page's rows separately;
        # on a million rows each COUNT costs, so count the filtered rows once and the whole
        # table only when a filter or search actually narrows it.
        queryset = self.queryset
        result_count = queryset.count()
        narrowed = self.query or self.get_filters_params()
        all_count = self.total_count() if narrowed else result_count
        paginator = CountedPaginator(queryset, self.items_per_page, result_count)
        page_obj = paginator.get_page(self.page_num or 1)
        context = {
            "view": self,
            "all_count": all_count,
            "result_count": result_count,
            "paginator": paginator,
            "page_obj": page_obj,
            "elided_page_range": paginator.get_elided_page_range(page_obj.number),
            "object_list": page_obj.object_list,
            "user_can_create": False,
            "show_search": self.search_handler.show_search_form,
            "user_can_moderate": self.request.user.has_perm(permissions.MODERATE),
            "user_can_export": self.request.user.has_perm(permissions.EXPORT),
            "statuses": Signature.Status,
            # Filtered to one campaign: its statistics are a click away (a moderator may
            # have no access to the campaign's page, where the other link is).
            "campaign_id": self.params.get(CAMPAIGN_VAR),
        }
        context.update(kwargs)
        return super(IndexView, self).get_context_data(**context)

    def total_count(self) -> int:
        """All signatures, for "12 out of N": N may be a minute old, but costs no COUNT."""
        return cache.get_or_set(TOTAL_CACHE_KEY, self.get_base_queryset().count, 60)

    @method_decorator(login_required)
    def dispatch(self, request, *args, **kwargs):
        if not self.permission_helper.user_can_list(request.user):
            raise PermissionDenied
        key = request.GET.get(search.KEY_VAR, "")
        term = search.recall(request, key) if key else ""
        try:
            self.prepare(request, request.GET, term or "")
        except IncorrectLookupParameters:
            messages.error(request, BAD_FILTER_VALUE)
            return redirect(self.index_url)
        if request.method == "GET" and (stray := self.stray_parameters(request)):
            return self.redirect_without(request, stray)
        return WMABaseView.dispatch(self, request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        """The search box: keep the term in the session, show the list with its key."""
        term = request.POST.get(search.TERM_VAR, "").strip()[: self.SEARCH_MAX_LENGTH]
        params = self.params.copy()
        params.pop(search.KEY_VAR, None)
        if term:
            params[search.KEY_VAR] = search.remember(request, term)
        return redirect(self.url_with(params))

    def prepare(self, request, params: QueryDict, term: str = ""):
        """Read the list's parameters and build its queryset (modeladmin's dispatch, minus
        its spreadsheet export). The search term is given: it is never read from the URL."""
        admin = self.model_admin
        self.list_export = ()
        self.list_display = admin.get_list_display(request)
        self.undeclared = set()
        self.list_filter = (
            *admin.get_list_filter(request),
            partial(UndeclaredParameters, found=self.undeclared),
        )
        self.search_fields = admin.get_search_fields(request)
        self.items_per_page = admin.list_per_page
        self.select_related = admin.list_select_related
        self.search_handler = admin.get_search_handler(request, self.search_fields)
        try:
            self.page_num = int(params.get(self.PAGE_VAR, 0))
        except ValueError:
            self.page_num = 0
        self.params = params.copy()
        for name in (self.PAGE_VAR, self.ERROR_FLAG, self.EXPORT_VAR, search.TERM_VAR):
            self.params.pop(name, None)
        if not term:
            self.params.pop(search.KEY_VAR, None)
        self.query = term
        self.queryset = self.get_queryset(request)
        # Links (pages, ordering, filters, export) carry only what the list understood.
        for name in self.undeclared:
            self.params.pop(name, None)

    def get_queryset(self, request=None):
        """The shared listing's rows for the list's parameters and search term."""
        request = request or self.request
        self.filter_specs, self.has_filters, _unused, _distinct = self.get_filters(request)
        params = QueryDict(mutable=True)
        for name, values in self.params.lists():
            if name in selectors.SignatureFilterSet.base_filters and name not in self.undeclared:
                params.setlist(name, values)
        if self.query:
            params[search.TERM_VAR] = self.query
        # modeladmin's ordering: its columns' numbers (`o=-3.2`) read as field names.
        params["ordering"] = ",".join(self.get_ordering(request, Signature.objects.none()))
        self.listing_query = params.urlencode()
        try:
            return selectors.signature_listing(self.listing_query)
        except selectors.InvalidFilters as invalid:
            raise IncorrectLookupParameters(invalid) from None

    def stray_parameters(self, request) -> set[str]:
        """What the URL carries that the list does not use (a term, an expired key...)."""
        return set(request.GET) - set(self.params) - {self.PAGE_VAR}

    def redirect_without(self, request, stray: set[str]):
        if search.TERM_VAR in stray:
            messages.warning(
                request,
                _(
                    "Use the search box to search: a search term in the address would be "
                    "kept in server logs and browser history, so it was ignored."
                ),
            )
        elif search.KEY_VAR in stray:
            messages.warning(
                request, _("That search has expired. Search again to narrow the list.")
            )
        return redirect(self.url_with(self.params))

    def url_with(self, params: QueryDict) -> str:
        return f"{self.index_url}?{params.urlencode()}" if params else self.index_url

    @property
    def list_query(self) -> str:
        """The list's parameters (with the search key, never the term) for its export link."""
        return self.params.urlencode()


class SignatureInspectView(InspectView):
    def __init__(self, model_admin, instance_pk):
        if not (instance_pk.isascii() and instance_pk.isdigit() and int(instance_pk) <= MAX_ID):
            raise Http404  # modeladmin would ask the database, which refuses it: a 500
        super().__init__(model_admin, instance_pk)

    #: The source tags read as words, with the tag's own name that marketers know them by
    #: (capitalised, "utm_source" read "Utm_source").
    TAG_LABELS = {
        "utm_source": _("Source tag (utm_source)"),
        "utm_medium": _("Medium tag (utm_medium)"),
        "utm_campaign": _("Campaign tag (utm_campaign)"),
    }

    def get_field_label(self, field_name, field=None):
        if field_name in self.TAG_LABELS:
            return self.TAG_LABELS[field_name]
        return capfirst(super().get_field_label(field_name, field))

    def get_field_display_value(self, field_name, field=None):
        value = super().get_field_display_value(field_name, field)
        if isinstance(value, bool):  # "Yes" or "No", in the admin's language, not "True"
            return _("Yes") if value else _("No")
        if getattr(Signature._meta.get_field(field_name), "choices", None):
            # A status reads "Counted", as in the list; no country given reads as any
            # empty field does, not as a blank.
            return capfirst(value) or self.model_admin.get_empty_value_display(field_name)
        return value

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            deliveries=self.instance.deliveries.select_related("target").order_by("pk"),
            user_can_moderate=self.request.user.has_perm(permissions.MODERATE),
            statuses=Signature.Status,
            **kwargs,
        )


def admin_column(label, order_by=None):
    def decorate(method):
        method.short_description = label
        if order_by:
            method.admin_order_field = order_by
        return method

    return decorate


class SignatureAdmin(ModelAdmin):
    model = Signature
    permission_helper_class = permissions.SignaturePermissionHelper
    index_view_class = SignatureIndexView
    inspect_view_class = SignatureInspectView
    index_template_name = "signatures/admin/index.html"
    inspect_template_name = "signatures/admin/inspect.html"
    menu_label = _("Signatures")
    menu_icon = "form"
    menu_order = 250
    add_to_admin_menu = False  # an item of the Signatures menu (wagtail_hooks)
    list_display = (
        "select",
        "full_name",
        "email",
        "campaign",
        "country_name",
        "status_name",
        "created_at",
    )
    list_filter = (
        "campaign",
        StatusFilter,
        ConfirmedFilter,
        PageLanguageFilter,
        CountryFilter,
        SignedBetweenFilter,
    )
    search_fields = ("first_name", "last_name", "email")
    # The Inspect button goes under the name: in the narrow tick-box column it was squashed
    # to one letter and lay over the box.
    list_display_add_buttons = "full_name"
    list_select_related = ("campaign",)
    ordering = ("-created_at",)
    list_per_page = 20  # as Wagtail's own listings
    inspect_view_enabled = True
    # Moderation is logged per campaign (its history and the site history report), and the
    # per-object history view checks no permission: it stays off.
    history_view_enabled = False
    inspect_view_fields = [
        "campaign",
        *supporter_fields.CONTACT,
        *supporter_fields.WRITTEN,
        "status",
        "created_at",
        *supporter_fields.CONSENT,
        *supporter_fields.SOURCE,
        "ip_address",
        "anonymised_at",
    ]

    @admin_column(_("select"))
    def select(self, obj):
        return format_html(
            '<input type="checkbox" name="signature" value="{}" form="bulk-actions" '
            'aria-label="{}">',
            obj.pk,
            _("Select signature %(pk)s") % {"pk": obj.pk},
        )

    @admin_column(_("country"), order_by="country")
    def country_name(self, obj):
        # Not the field itself: the admin would rebuild the sorted, translated list of all
        # countries for every row (most of the list's rendering time).
        return obj.country.name or self.get_empty_value_display("country")

    @admin_column(_("status"), order_by="status")
    def status_name(self, obj):
        return capfirst(obj.get_status_display())  # "Counted", as in the filter

    def get_admin_urls_for_registration(self):
        urls = super().get_admin_urls_for_registration()
        for url in urls:
            url.callback = permissions.forbidden_not_redirected(url.callback)
        return urls

    def get_list_display(self, request):
        # Asked for once per cell by modeladmin: decide once per request.
        if not hasattr(request, "clarion_signature_columns"):
            moderator = request.user.has_perm(permissions.MODERATE)
            request.clarion_signature_columns = tuple(
                name for name in self.list_display if moderator or name != "select"
            )
        return request.clarion_signature_columns


def listing_query(request, query: str) -> str:
    """The shared listing's parameters (selectors.signature_listing) for the moderation
    list's `query`, as this user's list reads them: exports, streamed now or written later
    by a worker, hold exactly the list's rows.

    `query` is as `search.with_term` gives it: the search term itself in `q`. Raises
    UnknownFilters for parameters the list does not use (it would drop them, widening the
    selection), IncorrectLookupParameters for a value it cannot use.
    """
    params = QueryDict(query, mutable=True)
    term = params.pop(search.TERM_VAR, [""])[-1]
    params.pop(search.KEY_VAR, None)
    view = SignatureIndexView(signature_admin)
    view.setup(request)
    view.prepare(request, params, term)
    if view.undeclared:
        raise selectors.UnknownFilters(sorted(view.undeclared))
    return view.listing_query


#: The instance wagtail_hooks registers; exports rebuild its list with the same filters.
signature_admin = SignatureAdmin()


#: Said when a filter's value in the address is not one the list can use (?campaign=abc).
BAD_FILTER_VALUE = _(
    "A filter in the address has a value the list cannot use, so it was shown unfiltered."
)
