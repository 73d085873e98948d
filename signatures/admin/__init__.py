"""The moderators' screens: the signature list (wagtail-modeladmin) and the views beside it."""
