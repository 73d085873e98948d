from .delivery import Delivery
from .signature import Signature, SignatureQuerySet

__all__ = ["Delivery", "Signature", "SignatureQuerySet"]
