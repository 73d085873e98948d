"""The ceiling: an independent minimal Django project that takes the same action.

Nothing of Clarion: its own settings, URLconf and one model; the middleware of Wagtail's
project template; a six-field form whose country is checked against a set; one INSERT. It
is what a signing view could cost at most, and what `bench/bench_signing.py` measures
Clarion against (DJANGO_SETTINGS_MODULE=bench.ceiling_site.settings).
"""
