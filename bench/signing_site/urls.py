from django.urls import path

from cms.urls import urlpatterns as clarion_urlpatterns

from . import views

# Clarion's own routes, unchanged (its i18n_patterns cannot be include()d), after the
# in-project reference's.
urlpatterns = [
    path("bench/in-project/", views.in_project),
    *clarion_urlpatterns,
]
