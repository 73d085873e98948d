from .counts import CampaignCount
from .delivery import Delivery
from .milestones import MilestoneCrossing, MilestoneMessage
from .privacy import DataRequest, ExportJob
from .replies import TargetReply
from .signature import Signature, SignatureQuerySet
from .suppression import Suppression
from .updates import CampaignUpdate, UpdateMailing, UpdateOptOut, UpdateRecipient
from .webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "CampaignCount",
    "CampaignUpdate",
    "DataRequest",
    "Delivery",
    "ExportJob",
    "MilestoneCrossing",
    "MilestoneMessage",
    "Signature",
    "SignatureQuerySet",
    "Suppression",
    "TargetReply",
    "UpdateMailing",
    "UpdateOptOut",
    "UpdateRecipient",
    "WebhookDelivery",
    "WebhookEndpoint",
]
