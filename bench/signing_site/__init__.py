"""The signing benchmark's own Django site: the product plus its two baselines.

Only `bench/bench_signing.py` uses it (DJANGO_SETTINGS_MODULE=bench.signing_site.settings);
the product's INSTALLED_APPS and URLs never include it.
"""
