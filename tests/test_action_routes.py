"""One request path: the suite's test client and the site's WSGI application (cms/wsgi.py,
what gunicorn serves) take every request, a POSTed action included, through the same
handler, middleware chain and URLconf.

The WSGI application is called with environs made by RequestFactory, as a WSGI server
would call it: no test client in between.
"""

import gc
import json
from importlib import import_module

import pytest
from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client, RequestFactory
from django.test.client import ClientHandler
from wagtail.models import PageViewRestriction

from signatures import views
from signatures.models import Signature
from tests.factories import SUPPORTER as VALID

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

PARTNER = "https://partner.example"


class Answer:
    """What a WSGI server would have sent: status, headers and the whole body."""

    def __init__(self, application, environ):
        def start_response(status, headers, exc_info=None):
            self.status_line, self.header_list = status, headers

        response = application(environ, start_response)
        try:
            self.body = b"".join(response)
        finally:
            response.close()  # as servers do: request_finished, the follow-up work
        self.status = int(self.status_line.split()[0])
        self.headers = {name.lower(): value for name, value in self.header_list}

    def __getitem__(self, name):
        return self.headers[name.lower()]


@pytest.fixture
def application():
    """cms/wsgi.py's application. As Django's test client does, the handler leaves the
    test's database connection open (closing it would end the test's transaction)."""
    wsgi = import_module("cms.wsgi")
    gc.unfreeze()  # cms/wsgi.py freezes what a server process loaded; the suite collects it
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield wsgi.application
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def routed(monkeypatch):
    """Each request's handler, URLconf, route and the request's public attributes once
    every middleware before the view had run, as Django's handler resolved it."""
    seen = []
    resolve_request = BaseHandler.resolve_request

    def noted(handler, request):
        match = resolve_request(handler, request)
        attributes = {name for name in vars(request) if not name.startswith("_")}
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        seen.append((type(handler), urlconf, match, attributes))
        return match

    monkeypatch.setattr(BaseHandler, "resolve_request", noted)
    return seen


def post(path, data, **extra):
    return RequestFactory().post(path, data, **extra).environ


def post_json(path, data, **extra):
    return RequestFactory().post(path, json.dumps(data), "application/json", **extra).environ


# One handler, one chain, one URLconf ---------------------------------------------------------


def test_the_site_is_served_by_djangos_own_handler_as_the_test_client_is(application):
    assert type(application) is WSGIHandler
    # Neither handler changes how the chain is built, how a request goes through it or
    # how its route is found: both are Django's BaseHandler, reading settings.MIDDLEWARE.
    for method in ("load_middleware", "get_response", "resolve_request"):
        assert getattr(WSGIHandler, method) is getattr(BaseHandler, method), method
        assert getattr(ClientHandler, method) is getattr(BaseHandler, method), method
    # No second chain to swap in, no second URLconf.
    assert [name for name in dir(settings) if name.endswith("MIDDLEWARE")] == ["MIDDLEWARE"]
    assert settings.WSGI_APPLICATION == "cms.wsgi.application"


@pytest.mark.parametrize("route", ["form", "api"])
def test_an_action_goes_through_the_same_chain_and_route_from_the_client_and_the_server(
    application, routed, campaign, route
):
    if route == "form":
        path, accepted, extra = f"/en/act/{campaign.pk}/", 302, {}
        bodies = [VALID, VALID | {"email": "bo@example.org"}]
    else:
        path, accepted = f"/api/v3/campaigns/{campaign.pk}/signatures/", 202
        extra = {"content_type": "application/json"}
        bodies = [json.dumps(VALID), json.dumps(VALID | {"email": "bo@example.org"})]

    served = Answer(application, RequestFactory().post(path, bodies[0], **extra).environ)
    tested = Client().post(path, bodies[1], **extra)

    assert (served.status, tested.status_code) == (accepted, accepted)
    # Each request was resolved by Django's handler: the server's, then the client's.
    assert [handler for handler, *_rest in routed] == [WSGIHandler, ClientHandler]
    (_, server_urlconf, server_match, server_attributes) = routed[0]
    (_, client_urlconf, client_match, client_attributes) = routed[1]
    assert server_urlconf == client_urlconf == settings.ROOT_URLCONF
    assert (server_match.func, server_match.view_name, server_match.kwargs) == (
        client_match.func,
        client_match.view_name,
        client_match.kwargs,
    )
    # What the middleware leaves on the request (the session, the user, the language ...)
    # and on the answer is the same: the same chain ran.
    assert {"session", "user", "LANGUAGE_CODE"} <= server_attributes == client_attributes
    assert set(served.headers) == {name.lower() for name in tested.headers}
    assert Signature.objects.count() == 2


def test_the_form_action_is_the_form_view_under_every_prefix(application, routed, campaign):
    prefixes = [f"/{code}" for code, _name in settings.LANGUAGES] + [""]

    answers = [
        Answer(application, post(f"{prefix}/act/{campaign.pk}/", VALID)) for prefix in prefixes
    ]

    assert [(answer.status, answer["Location"]) for answer in answers] == [
        (302, campaign.url + "thank-you/")
    ] * len(prefixes)
    assert {match.func for _handler, _urlconf, match, _attributes in routed} == {views.sign_by_form}
    assert Signature.objects.count() == 1  # the same supporter, once


def test_an_api_action_is_answered_with_cors_for_an_allowed_origin(application, campaign, settings):
    settings.CORS_ALLOWED_ORIGINS = [PARTNER]
    path = f"/api/v3/campaigns/{campaign.pk}/signatures/"

    answer = Answer(application, post_json(path, VALID, headers={"Origin": PARTNER}))

    assert answer.status == 202, answer.body
    assert json.loads(answer.body)["status"] == "received"
    assert answer["Access-Control-Allow-Origin"] == PARTNER
    assert "Retry-After" in answer["Access-Control-Expose-Headers"]
    assert Signature.objects.get().email == "ana@example.org"


# Restricted campaigns, as the server serves them ----------------------------------------------


def test_a_password_protected_campaign_refuses_the_action_of_who_was_not_let_in(
    application, campaign
):
    PageViewRestriction.objects.create(
        page=campaign, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
    )

    answer = Answer(application, post(f"/en/act/{campaign.pk}/", VALID))

    assert (answer.status, answer["Location"]) == (303, campaign.url)
    assert not Signature.objects.exists()


def test_a_supporter_let_in_by_the_password_may_act(application, campaign):
    restriction = PageViewRestriction.objects.create(
        page=campaign, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
    )
    # The session Wagtail's password form leaves (its view is the site's, not the test's).
    visit = RequestFactory().get(campaign.url)
    visit.session = import_module(settings.SESSION_ENGINE).SessionStore()
    restriction.mark_as_passed(visit)
    visit.session.save()
    cookie = f"{settings.SESSION_COOKIE_NAME}={visit.session.session_key}"

    answer = Answer(application, post(f"/en/act/{campaign.pk}/", VALID, headers={"Cookie": cookie}))

    assert (answer.status, answer["Location"]) == (302, campaign.url + "thank-you/")
    assert Signature.objects.count() == 1


def test_a_campaign_for_signed_in_users_takes_their_action_and_no_one_elses(
    application, campaign, django_user_model
):
    PageViewRestriction.objects.create(page=campaign, restriction_type=PageViewRestriction.LOGIN)
    member = Client()
    member.force_login(django_user_model.objects.create_user("member", password="x"))
    cookie = f"{settings.SESSION_COOKIE_NAME}={member.cookies[settings.SESSION_COOKIE_NAME].value}"
    path = f"/en/act/{campaign.pk}/"

    stranger = Answer(application, post(path, VALID | {"email": "stranger@example.org"}))
    signed_in = Answer(application, post(path, VALID, headers={"Cookie": cookie}))

    assert (stranger.status, stranger["Location"]) == (303, campaign.url)
    assert (signed_in.status, signed_in["Location"]) == (302, campaign.url + "thank-you/")
    assert list(Signature.objects.values_list("email", flat=True)) == [VALID["email"]]
