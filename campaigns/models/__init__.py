from .directories import Directory, PostalPrefix, Representative, normalise_postal_code
from .index import CampaignIndexPage
from .page import MAX_PAGE_ID, CampaignPage
from .targets import CampaignTarget, Target

__all__ = [
    "MAX_PAGE_ID",
    "CampaignIndexPage",
    "CampaignPage",
    "CampaignTarget",
    "Directory",
    "PostalPrefix",
    "Representative",
    "Target",
    "normalise_postal_code",
]
