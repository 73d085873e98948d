from .page import CampaignIndexPage, CampaignPage
from .targets import CampaignTarget, Target

__all__ = ["CampaignIndexPage", "CampaignPage", "CampaignTarget", "Target"]
