"""Every operation on signatures that has side effects, one module per concern.

Views, API routes, admin actions and tasks validate their input, then call these.
"""

from .delivery import compose, deliver, fail
from .signing import ActionRefused, sign

__all__ = ["ActionRefused", "compose", "deliver", "fail", "sign"]
