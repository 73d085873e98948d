from .delivery import Delivery
from .privacy import DataRequest, ExportJob
from .signature import Signature, SignatureQuerySet
from .webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "DataRequest",
    "Delivery",
    "ExportJob",
    "Signature",
    "SignatureQuerySet",
    "WebhookDelivery",
    "WebhookEndpoint",
]
