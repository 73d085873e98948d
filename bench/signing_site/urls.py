from django.urls import include, path

from . import views

urlpatterns = [
    path("bench/ceiling/", views.ceiling),
    path("", include("cms.urls")),
]
