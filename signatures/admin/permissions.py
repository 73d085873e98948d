"""Who may do what with signatures. Anyone else gets 403, never a redirect
(cms/base/admin_permissions.py, whose decorators the screens take from here).
"""

from django.core.exceptions import PermissionDenied
from wagtail_modeladmin.helpers import PermissionHelper

from cms.base.admin_permissions import forbidden_not_redirected as forbidden_not_redirected
from cms.base.admin_permissions import permission_required as permission_required

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
