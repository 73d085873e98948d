"""Importing a directory of representatives in the admin: upload, a dry run that shows the
difference the file makes (added, removed, changed addresses, postal codes changing hands)
and lists each error with its line number, then the import itself, applied by someone who
may publish targets. The screen lists each directory with when it was last refreshed, from
what and by whom, and the letters held for want of a representative, by district (they go
to the one a later import gives the district).

Where letters go is guarded: only someone who may publish targets ("Moderators") may import
(anyone else gets 403), and the import is logged on the directory (directory_import/). The
uploaded file waits in the cache between the preview and the confirmation, under a key only
this user's confirmation names.
"""

import secrets

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from cms.base.admin_permissions import permission_required

from .directory_import import import_directory, read_csv
from .directory_import.successors import letters_waiting
from .models import Directory

PUBLISH_TARGET = "campaigns.publish_target"
#: The largest file taken: 50,000 rows of a national directory are about 5 MB.
MAX_FILE = 20 * 1024 * 1024
#: How long an uploaded file waits for its confirmation.
PENDING_SECONDS = 30 * 60
PREVIEW_ROWS = 20


class DirectoryImportForm(forms.Form):
    directory = forms.CharField(
        label=gettext_lazy("Directory"),
        max_length=120,
        help_text=gettext_lazy('Its name, e.g. "House of Commons"; a new name makes a new one.'),
    )
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "Columns postal_code, name, salutation, email, and optionally district, party, "
            "language; one row per postal code (or its beginning) and representative."
        ),
    )
    replace = forms.TypedChoiceField(
        label=gettext_lazy("What the file does"),
        choices=[
            ("", gettext_lazy("Update: add and change the file's representatives and codes")),
            ("1", gettext_lazy("Replace: the directory becomes exactly the file")),
        ],
        coerce=bool,
        required=False,
        widget=forms.RadioSelect,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


@permission_required(PUBLISH_TARGET)
@require_http_methods(["GET", "POST"])
def import_representatives(request):
    if token := request.POST.get("confirm"):
        return _confirm(request, token)
    form = DirectoryImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        pending = (
            form.cleaned_data["directory"].strip(),
            form.cleaned_data["replace"],
            upload.read(),
            upload.name,
        )
        return _preview(request, pending, form=form)
    context = {
        "title": _("Import representatives"),
        "form": form,
        "directories": Directory.objects.all(),
        "waiting": letters_waiting(),
    }
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(
        request, "campaigns/admin/directory_import.html", context, status=status
    )


def _preview(request, pending, *, form=None):
    """The difference the file makes, written nowhere; without errors, kept for its
    confirmation with the digest of what the user is shown."""
    name, replace, data, source = pending
    report = import_directory(name, read_csv(data), replace=replace, source=source, dry_run=True)
    context = {
        "title": _("Import representatives"),
        "preview_rows": PREVIEW_ROWS,
        "form": form or DirectoryImportForm(),
        "report": report,
        "directory": name,
        "replace": replace,
    }
    if not report.errors:
        token = secrets.token_urlsafe(16)
        reviewed = report.difference_digest()
        cache.set(_key(request, token), (*pending, reviewed), PENDING_SECONDS)
        context["token"] = token
    return TemplateResponse(request, "campaigns/admin/directory_import.html", context)


def _confirm(request, token: str):
    pending = cache.get(_key(request, token))
    if pending is None:
        messages.warning(request, _("That preview has expired: upload the file again."))
        return redirect("directory_admin:import")
    cache.delete(_key(request, token))
    name, replace, data, source, reviewed = pending
    report = import_directory(
        name, read_csv(data), replace=replace, user=request.user, source=source, reviewed=reviewed
    )
    if report.changed_since_review:
        # What was approved is not what would be applied: show what would be, to approve.
        messages.warning(
            request,
            _(
                "Nothing was imported: “%(directory)s” changed after your preview (another "
                "import was applied). Here is the difference the file makes now."
            )
            % {"directory": name},
        )
        return _preview(request, (name, replace, data, source))
    if report.errors:  # cannot happen for a checked file; said plainly all the same
        messages.error(request, _("Nothing was imported: the file has errors."))
    else:
        messages.success(
            request,
            _(
                "Imported %(prefixes)s postal codes into “%(directory)s”: %(created)s "
                "representatives added, %(updated)s changed, %(removed)s removed."
            )
            % {
                "prefixes": report.prefixes,
                "directory": name,
                "created": report.created,
                "updated": report.updated,
                "removed": report.removed,
            },
        )
        if held := sum(letters for _who, letters in report.held):
            messages.warning(
                request,
                ngettext(
                    "%(letters)s letter is held: its representative left with no successor "
                    "for the district. It is listed below and goes to the representative a "
                    "later import gives the district.",
                    "%(letters)s letters are held: their representatives left with no "
                    "successor for the district. They are listed below and go to the "
                    "representative a later import gives the district.",
                    held,
                )
                % {"letters": held},
            )
    return redirect("directory_admin:import")


def _key(request, token: str) -> str:
    return f"clarion:directory-import:{request.user.pk}:{token}"


# Its own namespace, not the signatures screens': it shows no supporter's data, and is for
# those who may publish targets (Wagtail's "Moderators"), who see no signatures.
app_name = "directory_admin"
urlpatterns = [path("import/", import_representatives, name="import")]
