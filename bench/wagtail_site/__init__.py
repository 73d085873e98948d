"""What a Wagtail user would build instead: a project from Wagtail's template with one
`AbstractEmailForm` page (the same six fields) that emails each submission.

Nothing of Clarion; only `bench/bench_signing.py` uses it
(DJANGO_SETTINGS_MODULE=bench.wagtail_site.settings).
"""
