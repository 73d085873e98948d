"""Who may do what with signatures. Anyone else gets 403, never a redirect."""

from django.core.exceptions import PermissionDenied
from wagtail_modeladmin.helpers import PermissionHelper

VIEW = "signatures.view_signature"
MODERATE = "signatures.moderate_signature"
EXPORT = "signatures.export_signature"


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
