from .delivery import Delivery
from .privacy import ErasureRequest, ExportJob
from .signature import Signature, SignatureQuerySet

__all__ = ["Delivery", "ErasureRequest", "ExportJob", "Signature", "SignatureQuerySet"]
