from django.urls import path

from . import reply_views, views

app_name = "signatures"
# Under each language's prefix (/en/act/…, /fr/act/…: cms/urls.py), in the language of the
# campaign's page that links to them.
urlpatterns = [
    path("act/<int:campaign_id>/", views.sign_by_form, name="sign"),
    path("act/<int:campaign_id>/view/", views.view, name="view"),
    path("act/confirm/<str:token>/", views.confirm, name="confirm"),
    path("answer/<str:token>/", reply_views.answer, name="answer"),
    path("updates/stop/<str:token>/", views.unsubscribe_from_updates, name="unsubscribe"),
]

# The same routes without a language, as they were before campaigns had translations: the
# forms of pages cached or embedded before, and the links in confirmation emails already
# sent, keep working (a POST cannot be redirected without losing its body). The campaign's
# id, or the token, says which page and language answers.
unprefixed_urlpatterns = [
    path("act/<int:campaign_id>/", views.sign_by_form),
    path("act/<int:campaign_id>/view/", views.view),
    path("act/confirm/<str:token>/", views.confirm),
]
