from .delivery import Delivery
from .privacy import DataRequest, ExportJob
from .signature import Signature, SignatureQuerySet

__all__ = ["DataRequest", "Delivery", "ExportJob", "Signature", "SignatureQuerySet"]
