from django.urls import include, path

from . import views

urlpatterns = [
    path("bench/in-project/", views.in_project),
    path("", include("cms.urls")),
]
