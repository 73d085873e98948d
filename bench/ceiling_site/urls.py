from django.http import HttpResponse
from django.urls import path

from . import views

urlpatterns = [
    path("act/", views.act),
    path("", lambda request: HttpResponse("ceiling")),  # for the start-up probe
]
