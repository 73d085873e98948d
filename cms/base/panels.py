"""Admin panels shared by the site settings and the page types."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel

# Defined on OrganisationSettings; one permission guards every third-party script field.
SCRIPTS_PERMISSION = "cms.edit_scripts"


def scripts_panel(*fields):
    """Fields that only holders of the scripts permission see. Wagtail drops them from
    everyone else's form, so other editors' saves leave them untouched."""
    return MultiFieldPanel(
        [FieldPanel(name, permission=SCRIPTS_PERMISSION) for name in fields],
        heading=_("Scripts"),
        help_text=_(
            "Third-party code such as analytics or advertising pixels. It runs in every "
            "visitor's browser: add only code your organisation has approved."
        ),
        permission=SCRIPTS_PERMISSION,
    )
