from django.apps import AppConfig


class SigningBenchConfig(AppConfig):
    name = "bench.signing_site"
    label = "signing_bench"
    default_auto_field = "django.db.models.BigAutoField"
