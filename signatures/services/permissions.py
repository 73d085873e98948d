"""Who may read what a campaign's letters became (no supporter's data in it): whoever may
edit the campaign, or view signatures. Shared by the admin screen and the staff API."""

#: The permission to view signatures (signatures.admin.permissions.VIEW).
VIEW_SIGNATURES = "signatures.view_signature"


def may_see_delivery(user, page) -> bool:
    return user.has_perm(VIEW_SIGNATURES) or page.permissions_for_user(user).can_edit()
