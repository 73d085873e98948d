"""Clarion's own project with one extra view: the in-project reference.

A bare view inside Clarion's project (its settings, middleware and the Signature's
`CountryField`) that validates the six fields and inserts one row. It is a second
reference only: what Clarion's own project costs around a bare view. The ceiling is the
independent project in bench/ceiling_site. The product's INSTALLED_APPS and URLs never
include this app (DJANGO_SETTINGS_MODULE=bench.signing_site.settings).
"""
