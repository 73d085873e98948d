from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
# A development key only; production.py requires SECRET_KEY from the environment.
SECRET_KEY = env("SECRET_KEY", default="django-insecure-clarion-development-only")
