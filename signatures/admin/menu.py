"""The hook through which a package above signatures adds its own items to the Signatures
menu (reporting's Live campaigns) without signatures importing it."""

#: A Wagtail hook: each function registered returns a MenuItem for the Signatures menu.
ITEMS_HOOK = "register_signatures_menu_item"
