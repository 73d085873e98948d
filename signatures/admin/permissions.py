"""Who may do what with signatures. Anyone else gets 403, never a redirect.

Wagtail's admin turns a PermissionDenied into a redirect to the dashboard; for screens
that hold supporters' data we answer 403 Forbidden instead, so a refusal is unmistakable
(to people, tests and monitoring alike).
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.views.defaults import permission_denied
from wagtail_modeladmin.helpers import PermissionHelper

VIEW = "signatures.view_signature"
MODERATE = "signatures.moderate_signature"
EXPORT = "signatures.export_signature"
#: A campaign's figures (views, actions, conversion, sources): counts, never a supporter.
STATISTICS = "signatures.view_statistics"


def can_see_statistics(user) -> bool:
    """Editors see their campaigns' figures; whoever sees the signatures sees them too."""
    return user.has_perm(STATISTICS) or user.has_perm(VIEW)


def require(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied


def forbidden_not_redirected(view):
    """Answer PermissionDenied with 403 before Wagtail's admin can turn it into a redirect."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as denial:
            return permission_denied(request, denial)

    return wrapped


def permission_required(permission):
    """Checked first, before the HTTP method or anything else about the request.
    `permission`: a permission's name, or a test of the user (can_see_statistics)."""
    allowed = permission if callable(permission) else lambda user: user.has_perm(permission)

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not allowed(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return forbidden_not_redirected(wrapped)

    return decorate


class SignaturePermissionHelper(PermissionHelper):
    """Signatures come only from supporters and leave only by erasure: the admin lists,
    inspects and moderates them, but never adds, edits or deletes one."""

    def user_can_list(self, user):
        return user.has_perm(VIEW)

    def user_can_inspect_obj(self, user, obj):
        return user.has_perm(VIEW)

    def user_can_create(self, user):
        return False

    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_delete_obj(self, user, obj):
        return False
