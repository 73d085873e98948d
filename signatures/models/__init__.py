from .counts import CampaignCount
from .delivery import Delivery
from .page_views import PageViewDay
from .privacy import DataRequest, ExportJob
from .signature import Signature, SignatureQuerySet
from .suppression import Suppression
from .webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "CampaignCount",
    "DataRequest",
    "Delivery",
    "ExportJob",
    "PageViewDay",
    "Signature",
    "SignatureQuerySet",
    "Suppression",
    "WebhookDelivery",
    "WebhookEndpoint",
]
