"""Admin screens that answer a refusal with 403, never a redirect, and menu items shown
only to those their screen lets in.

Wagtail's admin turns a PermissionDenied into a redirect to the dashboard; for screens
that hold supporters' data, or decide where letters go, we answer 403 Forbidden instead, so
a refusal is unmistakable (to people, tests and monitoring alike).
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.views.defaults import permission_denied
from wagtail.admin.menu import MenuItem


def user_test(permission):
    """`permission`: a permission's name, or a test of the user (can_see_statistics)."""
    return permission if callable(permission) else lambda user: user.has_perm(permission)


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
    `permission`: as for `user_test`."""
    allowed = user_test(permission)

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not allowed(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return forbidden_not_redirected(wrapped)

    return decorate


class PermittedMenuItem(MenuItem):
    """Shown only to users its screen lets in (`permission`: as for `user_test`)."""

    def __init__(self, *args, permission, **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed = user_test(permission)

    def is_shown(self, request):
        return self.allowed(request.user)
