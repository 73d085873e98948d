"""The moderators' screens beside the list: bulk status changes, invalidation by rule,
exports and data-protection requests (the statistics are reporting's: reporting/views.py).
Each checks its permission (403 otherwise), validates its input with a form, then calls a
service."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from ..models import DataRequest, ExportJob, Signature
from ..selectors import UnknownFilters, signature_listing
from ..services import export, moderation, privacy
from . import search
from .forms import AddressForm, BulkStatusForm, InvalidationForm
from .listing import listing_query
from .permissions import EXPORT, MODERATE, permission_required, require

LIST_URL = "signatures_signature_modeladmin_index"


def _list_url():
    return reverse(LIST_URL)


def safe_next(request, fallback):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


@permission_required(MODERATE)
@require_POST
def bulk_status(request):
    form = BulkStatusForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(safe_next(request, _list_url()))
    status, selected = form.cleaned_data["status"], form.cleaned_data["signature"]
    left = moderation.count_unapprovable(selected) if status == Signature.Status.COUNTED else 0
    count = moderation.set_status(selected, status, request.user)
    if left:
        messages.warning(
            request,
            ngettext(
                "%(count)s signature was left as it is: it awaits its supporter's "
                "confirmation, or its supporter's details were erased.",
                "%(count)s signatures were left as they are: they await their supporters' "
                "confirmation, or their supporters' details were erased.",
                left,
            )
            % {"count": left},
        )
    messages.success(
        request,
        ngettext(
            "%(count)s signature is now %(status)s.",
            "%(count)s signatures are now %(status)s.",
            count,
        )
        % {"count": count, "status": Signature.Status(status).label},
    )
    return redirect(safe_next(request, _list_url()))


@permission_required(MODERATE)
@require_http_methods(["GET", "POST"])
def invalidate(request):
    """A rule, then a preview of how many it will change, then (confirmed) the change."""
    form = InvalidationForm(request.POST or None)
    context = {"form": form, "title": _("Invalidate signatures by rule")}
    if request.method == "POST" and form.is_valid():
        rule, status = form.rule(), form.cleaned_data["status"]
        count = moderation.preview(rule, status)
        confirmed = request.POST.get("confirm") == str(count)
        if confirmed:
            changed = moderation.invalidate(rule, request.user, status)
            messages.success(
                request,
                ngettext(
                    "%(count)s signature invalidated.",
                    "%(count)s signatures invalidated.",
                    changed,
                )
                % {"count": changed},
            )
            return redirect(_list_url())
        if "confirm" in request.POST:
            messages.warning(request, _("The number of matching signatures changed; check again."))
        context |= {"preview": count}
    status_code = 400 if request.method == "POST" and not form.is_valid() else 200
    return TemplateResponse(
        request, "signatures/admin/invalidate.html", context, status=status_code
    )


@permission_required(EXPORT)
@require_http_methods(["GET", "POST"])
def export_list(request):
    """The filtered list as CSV: streamed now when small, otherwise made in the background."""
    # The list's parameters, with its search key: a search term never travels in a URL.
    given = request.POST.get("query", "") if request.method == "POST" else request.GET.urlencode()
    query = search.with_term(request, given)
    if query is None:
        messages.warning(request, _("That search has expired. Search again, then export."))
        return redirect(_list_url())
    try:
        listing = listing_query(request, query)
    except IncorrectLookupParameters:
        messages.error(
            request,
            _(
                "Nothing was exported: a filter in the address has a value the list cannot "
                "use. Filter the list, then export."
            ),
        )
        return redirect(_list_url())
    except UnknownFilters as unknown:
        messages.error(
            request,
            _(
                "Nothing was exported: the list has no filter named %(names)s, so the "
                "export would have held more than you asked for. Filter the list, then export."
            )
            % {"names": ", ".join(unknown.args[0])},
        )
        return redirect(_list_url())
    signatures = signature_listing(listing)
    count = signatures.count()
    if request.method == "POST":
        # The worker has no session: the job keeps the term, until it runs.
        job = export.start_export(request.user, listing, count)
        return redirect("signatures_admin:export_job", job.pk)
    if count > settings.CLARION_EXPORT_SYNC_LIMIT:
        return TemplateResponse(
            request,
            "signatures/admin/export_confirm.html",
            {"count": count, "query": given, "title": _("Export signatures")},
        )
    export.record_streamed_export(request.user, given, count)
    response = StreamingHttpResponse(
        export.csv_chunks(signatures), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{export.file_name()}"'
    return response


@permission_required(EXPORT)
def export_jobs(request):
    jobs = ExportJob.objects.filter(owner=request.user).exclude(file_name="", state="done")
    context = {"jobs": jobs[:50], "title": _("My exports")}
    return TemplateResponse(request, "signatures/admin/export_jobs.html", context)


def _own_job(request, pk) -> ExportJob:
    # Someone else's export does not exist, as far as this user can tell.
    return get_object_or_404(ExportJob, pk=pk, owner=request.user)


@permission_required(EXPORT)
def export_job(request, pk):
    job = _own_job(request, pk)
    return TemplateResponse(
        request,
        "signatures/admin/export_job.html",
        {"job": job, "expired": job.expires_at < timezone.now(), "title": _("Export")},
    )


@permission_required(EXPORT)
def export_download(request, pk):
    job = _own_job(request, pk)
    if job.state != ExportJob.State.DONE or not job.file_name:
        raise Http404
    if job.expires_at < timezone.now():
        return HttpResponse(_("This export has expired."), status=410)
    return FileResponse(
        export.open_download(job),
        as_attachment=True,
        filename=export.file_name(),
        content_type="text/csv; charset=utf-8",
    )


@permission_required(MODERATE)
@require_http_methods(["GET", "POST"])
def data_requests(request):
    """Erasure and subject access for one address, entered in a POSTed form."""
    form = AddressForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            address = form.cleaned_data["email"]
            if form.cleaned_data["action"] == "access":
                require(request.user, EXPORT)
                document = privacy.subject_access(address, request.user)
                response = HttpResponse(
                    json.dumps(document, cls=privacy.JSON_ENCODER, indent=2, ensure_ascii=False),
                    content_type="application/json; charset=utf-8",
                )
                name = f"subject-access-{privacy.address_hash(address)[:12]}.json"
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                return response
            record = privacy.erase_supporter(address, request.user)
            messages.success(
                request,
                ngettext(
                    "Erased: %(count)s signature anonymised.",
                    "Erased: %(count)s signatures anonymised.",
                    record.signatures,
                )
                % {"count": record.signatures},
            )
            return redirect("signatures_admin:data_requests")
    context = {
        "form": form,
        "records": DataRequest.objects.select_related("requested_by")[:50],
        "title": _("Data-protection requests"),
    }
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "signatures/admin/data_requests.html", context, status=status)
