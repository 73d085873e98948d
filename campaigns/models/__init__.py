from .index import CampaignIndexPage
from .page import CampaignPage
from .targets import CampaignTarget, Target

__all__ = ["CampaignIndexPage", "CampaignPage", "CampaignTarget", "Target"]
