"""The cms app's models (Django looks for them here): the site-wide base's."""

from cms.base.models import *  # noqa: F403
