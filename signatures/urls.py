from django.urls import path

from . import views

app_name = "signatures"
urlpatterns = [
    path("act/<int:campaign_id>/", views.sign_by_form, name="sign"),
    path("act/<int:campaign_id>/view/", views.view, name="view"),
    path("act/confirm/<str:token>/", views.confirm, name="confirm"),
]
