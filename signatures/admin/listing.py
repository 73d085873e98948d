"""The signature list and detail screens (wagtail-modeladmin), kept quick on a million rows."""

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, QueryDict
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail_modeladmin.options import ModelAdmin
from wagtail_modeladmin.views import IndexView, InspectView, WMABaseView

from ..models import Signature
from . import permissions
from .filters import ConfirmedFilter, CountryFilter, SignedBetweenFilter

TOTAL_CACHE_KEY = "clarion:signatures:total"


class CountedPaginator(Paginator):
    """A paginator told the count it would otherwise ask the database for again."""

    def __init__(self, object_list, per_page, count):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self):
        return self._known_count


class SignatureIndexView(IndexView):
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
            "query_string": self.request.GET.urlencode(),
            "statuses": Signature.Status,
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
        self.prepare(request)
        return WMABaseView.dispatch(self, request, *args, **kwargs)

    def prepare(self, request):
        """Read the list's parameters and build its queryset (modeladmin's dispatch, minus
        its spreadsheet export)."""
        admin = self.model_admin
        self.list_export = ()
        self.list_display = admin.get_list_display(request)
        self.list_filter = admin.get_list_filter(request)
        self.search_fields = admin.get_search_fields(request)
        self.items_per_page = admin.list_per_page
        self.select_related = admin.list_select_related
        self.search_handler = admin.get_search_handler(request, self.search_fields)
        try:
            self.page_num = int(request.GET.get(self.PAGE_VAR, 0))
        except ValueError:
            self.page_num = 0
        self.params = request.GET.copy()
        for name in (self.PAGE_VAR, self.ERROR_FLAG, self.EXPORT_VAR):
            self.params.pop(name, None)
        self.query = request.GET.get(self.SEARCH_VAR, "")
        self.queryset = self.get_queryset(request)


class SignatureInspectView(InspectView):
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
    add_to_admin_menu = True
    list_display = (
        "select",
        "full_name",
        "email",
        "campaign",
        "country_name",
        "status",
        "created_at",
    )
    list_filter = ("campaign", "status", ConfirmedFilter, CountryFilter, SignedBetweenFilter)
    search_fields = ("first_name", "last_name", "email")
    list_select_related = ("campaign",)
    ordering = ("-created_at",)
    list_per_page = 20  # as Wagtail's own listings
    inspect_view_enabled = True
    # Moderation is logged per campaign (its history and the site history report), and the
    # per-object history view checks no permission: it stays off.
    history_view_enabled = False
    inspect_view_fields = [
        "campaign",
        "first_name",
        "last_name",
        "email",
        "country",
        "postal_code",
        "status",
        "created_at",
        "consent",
        "consent_text",
        "consent_at",
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
        return obj.country.name

    def get_admin_urls_for_registration(self):
        urls = super().get_admin_urls_for_registration()
        for url in urls:
            url.callback = permissions.forbidden_not_redirected(url.callback)
        return urls

    def get_list_display(self, request):
        # Asked for once per cell by modeladmin: decide once per request.
        if not hasattr(request, "_signature_columns"):
            moderator = request.user.has_perm(permissions.MODERATE)
            request._signature_columns = tuple(
                name for name in self.list_display if moderator or name != "select"
            )
        return request._signature_columns


def listed_signatures(query: str, user):
    """The signatures the moderation list shows for this query string, in its order.

    Background exports rebuild the moderator's list with exactly the list's own filters.
    """
    from ..wagtail_hooks import signature_admin

    request = HttpRequest()
    request.method = "GET"
    request.GET = QueryDict(query)
    request.user = user
    view = SignatureIndexView(signature_admin)
    view.setup(request)
    view.prepare(request)
    return view.queryset
