"""The Signatures menu's items, and the hook through which a package above signatures adds
its own (reporting's Live campaigns) without signatures importing it."""

from wagtail.admin.menu import MenuItem

#: A Wagtail hook: each function registered returns a MenuItem for the Signatures menu.
ITEMS_HOOK = "register_signatures_menu_item"


class PermittedMenuItem(MenuItem):
    """Shown only to users with the permission its screen checks."""

    def __init__(self, *args, permission, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        if callable(self.permission):  # a test of the user, e.g. can_see_statistics
            return self.permission(request.user)
        return request.user.has_perm(self.permission)
