"""A POSTed action goes through the lean action handler, answered as the site would answer
it (cms/action_routes.py, cms/action_urls.py).

The real WSGI application, built as cms/wsgi.py builds it, is called with environs made by
RequestFactory, as a WSGI server would call it: no test client in between, which would use a
handler of its own with the site's middleware.
"""

import inspect
import json
import re
from importlib import import_module

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client, RequestFactory
from django.urls import Resolver404, get_resolver
from django.utils import translation
from wagtail.models import PageViewRestriction

from campaigns.api_schemas import NOT_FOUND
from cms.action_routes import Application
from signatures import views
from signatures.models import Signature
from tests.campaigns.test_translations import FRENCH
from tests.factories import translate

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

VALID = {"first_name": "Ana", "last_name": "Okonjo", "email": "ana@example.org"}
PARTNER = "https://partner.example"
#: Headers the site's middleware sets on every answer, that framed or sniffed pages need.
SECURITY_HEADERS = ["X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"]


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

    def get(self, name):
        return self.headers.get(name.lower())

    @property
    def text(self):
        return self.body.decode()


class Recorded:
    """A WSGI application, passed through, that notes the paths it was given."""

    def __init__(self, application):
        self.application, self.paths = application, []

    def __call__(self, environ, start_response):
        self.paths.append(environ["PATH_INFO"])
        return self.application(environ, start_response)


@pytest.fixture
def wsgi_in_test_transaction():
    """As Django's test client does: the handlers would close the test's database
    connection at each request, ending the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def application(wsgi_in_test_transaction):
    """cms/wsgi.py's application, with each handler's requests noted, and each route the
    action handler resolved (its resolver_match)."""
    app = Application(get_wsgi_application())
    app.resolved = []
    resolve_request = app.actions.resolve_request

    def noted(request):
        match = resolve_request(request)
        app.resolved.append((request.path_info, match))
        return match

    app.actions.resolve_request = noted
    app.site, app.actions = Recorded(app.site), Recorded(app.actions)
    return app


def post(path, data=None, **extra):
    return RequestFactory().post(path, data or {}, **extra).environ


def post_json(path, data, **extra):
    return RequestFactory().post(path, json.dumps(data), "application/json", **extra).environ


# Which handler answers -----------------------------------------------------------------


def prefixes():
    return [f"/{code}" for code, _name in settings.LANGUAGES] + [""]


@pytest.mark.parametrize("prefix", prefixes())
def test_a_form_action_is_taken_by_the_action_handler_as_the_site_takes_it(
    application, campaign, prefix
):
    path = f"{prefix}/act/{campaign.pk}/"

    lean = Answer(application, post(path, VALID))

    assert application.actions.paths == [path] and application.site.paths == []
    [(resolved_path, match)] = application.resolved
    assert resolved_path == path
    assert match.func is views.sign_by_form and match.kwargs == {"campaign_id": campaign.pk}
    assert (lean.status, lean["Location"]) == (302, campaign.url + "thank-you/")
    assert list(Signature.objects.values_list("email", "campaign_id")) == [
        ("ana@example.org", campaign.pk)
    ]
    # The site's own handler, with all its middleware, answers another supporter alike.
    full = Answer(application.site.application, post(path, VALID | {"email": "bo@example.org"}))
    assert (full.status, full["Location"]) == (lean.status, lean["Location"])
    assert Signature.objects.count() == 2


def test_an_api_action_is_taken_by_the_action_handler_with_cors_for_an_allowed_origin(
    application, campaign, settings
):
    settings.CORS_ALLOWED_ORIGINS = [PARTNER]
    path = f"/api/v3/campaigns/{campaign.pk}/signatures/"

    answer = Answer(application, post_json(path, VALID, headers={"Origin": PARTNER}))

    assert application.actions.paths == [path] and application.site.paths == []
    assert answer.status == 202, answer.text
    assert json.loads(answer.body)["status"] == "received"
    assert answer["Access-Control-Allow-Origin"] == PARTNER
    assert "Retry-After" in answer["Access-Control-Expose-Headers"]
    assert Signature.objects.get().email == "ana@example.org"


def test_an_api_action_on_an_unknown_campaign_is_a_problem_404(application, campaign):
    path = f"/api/v3/campaigns/{campaign.pk + 1000}/signatures/"

    answer = Answer(application, post_json(path, VALID))

    assert application.actions.paths == [path]
    [(_path, match)] = application.resolved
    assert match.view_name == "wagtailapi_v3:campaign_sign"
    assert answer.status == 404
    assert answer["Content-Type"].startswith("application/problem+json")
    problem = json.loads(answer.body)
    # The route's own answer, not the one for an address no route takes (cms.middleware).
    assert (problem["status"], problem["detail"]) == (404, str(NOT_FOUND))
    assert not Signature.objects.exists()


def test_opening_the_actions_address_goes_to_the_site(application, campaign):
    path = f"/en/act/{campaign.pk}/"

    answer = Answer(application, RequestFactory().get(path).environ)

    assert application.site.paths == [path] and application.actions.paths == []
    assert (answer.status, answer["Location"]) == (302, campaign.url)


@pytest.mark.parametrize(
    "method, path",
    [
        ("POST", "/en/act/7/view/"),
        ("POST", "/en/act/confirm/token/"),
        ("POST", "/en/act/7"),
        ("POST", "/en/act/7/x/"),
        ("POST", "/de/act/7/"),  # not one of the site's languages
        ("POST", "/en/en/act/7/"),
        ("POST", "/act/seven/"),
        ("POST", "/api/v3/campaigns/7/counter/"),
        ("POST", "/api/v3/campaigns/7/signatures/x/"),
        ("POST", "/api/v3/campaigns/7/signatures"),
        ("POST", "/x/api/v3/campaigns/7/signatures/"),
        ("POST", "/en/campaigns/a-campaign/"),
        ("GET", "/act/7/"),
        ("HEAD", "/en/act/7/"),
        ("PUT", "/en/act/7/"),
        ("GET", "/api/v3/campaigns/7/signatures/"),
        ("OPTIONS", "/api/v3/campaigns/7/signatures/"),  # CORS's preflight
    ],
)
def test_everything_else_goes_to_the_site(method, path):
    site, actions = Recorded(lambda *_: []), Recorded(lambda *_: [])
    application = Application(site)
    application.actions = actions

    application({"REQUEST_METHOD": method, "PATH_INFO": path}, None)

    assert (site.paths, actions.paths) == ([path], [])


# The router and the action handler's URLconf agree ------------------------------------------


def _view(match):
    """The view a route leads to: ninja makes a new function for each copy of the API's
    URLconf, around the same operations."""
    if not inspect.isfunction(match.func):
        return match.func
    return inspect.getclosurevars(match.func).nonlocals.get("self", match.func)


def _same_route(path, language):
    with translation.override(language):
        action, site = (
            get_resolver(urlconf).resolve(path) for urlconf in ("cms.action_urls", None)
        )
    assert (_view(action), action.view_name, action.kwargs) == (
        _view(site),
        site.view_name,
        site.kwargs,
    ), path


def _leaf_routes(patterns, prefix=""):
    """(the route's path, with digits for its parameters; the pattern) for every route."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if hasattr(pattern, "url_patterns"):
            yield from _leaf_routes(pattern.url_patterns, route)
        else:
            yield pattern, "/" + _with_digits(route)


def _with_digits(route):
    return re.sub(r"<(?:\w+:)?\w+>", "7", route)


def test_every_path_the_router_takes_is_routed_by_both_urlconfs_to_the_same_view():
    router = Application(WSGIHandler()).action_path
    for code, _name in settings.LANGUAGES:
        paths = [f"/{code}/act/7/", "/act/7/", "/api/v3/campaigns/7/signatures/"]
        for path in paths:
            assert router.fullmatch(path), path
            _same_route(path, code)
        # The action handler's URLconf has no route the router would not send it.
        with translation.override(code):
            for _pattern, path in _leaf_routes(get_resolver("cms.action_urls").url_patterns):
                assert router.fullmatch(path), path
                _same_route(path, code)


def test_every_action_route_of_the_site_is_taken_by_the_router():
    router = Application(WSGIHandler()).action_path
    action_views = {
        _view(get_resolver("cms.action_urls").resolve(path))
        for path in ("/act/7/", "/api/v3/campaigns/7/signatures/")
    }
    found = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for pattern, path in _leaf_routes(get_resolver().url_patterns):
                try:
                    match = get_resolver().resolve(path)
                except Resolver404:  # a regular expression's route, no path of digits
                    continue
                if match.func is pattern.callback and _view(match) in action_views:
                    found.append(path)
                    assert router.fullmatch(path), path
                    _same_route(path, code)
    expected = {f"/{code}/act/7/" for code, _name in settings.LANGUAGES}
    assert set(found) == expected | {"/act/7/", "/api/v3/campaigns/7/signatures/"}


# The site's safeguards still stand ------------------------------------------------------------


@pytest.mark.parametrize("kind", ["accepted", "invalid", "api"])
def test_the_action_handlers_answers_carry_the_sites_security_headers(application, campaign, kind):
    if kind == "api":
        path = f"/api/v3/campaigns/{campaign.pk}/signatures/"
        make = post_json
    else:
        path, make = f"/en/act/{campaign.pk}/", post
    data = VALID | {"email": "ana@" if kind == "invalid" else "ana@example.org"}

    lean = Answer(application, make(path, data))
    full = Answer(application.site.application, make(path, data | {"first_name": "Bo"}))

    assert application.actions.paths == [path]
    assert lean.status == full.status
    assert lean["X-Frame-Options"] == "DENY"
    assert lean["X-Content-Type-Options"] == "nosniff"
    assert [lean.get(name) for name in SECURITY_HEADERS] == [
        full.get(name) for name in SECURITY_HEADERS
    ]


@pytest.mark.parametrize("route", ["form", "api"])
def test_a_host_the_site_does_not_serve_is_refused(application, campaign, route):
    if route == "form":
        environ = post(f"/en/act/{campaign.pk}/", VALID, headers={"Host": "evil.example"})
    else:
        path = f"/api/v3/campaigns/{campaign.pk}/signatures/"
        environ = post_json(path, VALID, headers={"Host": "evil.example"})

    answer = Answer(application, environ)

    assert application.actions.paths == [environ["PATH_INFO"]]
    assert answer.status == 400
    assert not Signature.objects.exists()


def test_a_password_protected_campaign_still_refuses_the_action(application, campaign):
    PageViewRestriction.objects.create(
        page=campaign, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
    )

    answer = Answer(application, post(f"/en/act/{campaign.pk}/", VALID))

    assert application.actions.paths == [f"/en/act/{campaign.pk}/"]
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

    assert application.actions.paths == [f"/en/act/{campaign.pk}/"]
    assert (answer.status, answer["Location"]) == (302, campaign.url + "thank-you/")
    assert Signature.objects.count() == 1


def test_a_campaign_for_signed_in_users_takes_their_action_and_no_one_elses(
    application, campaign, django_user_model
):
    # The action routes run without the session and user middleware: the restriction loads
    # them itself.
    PageViewRestriction.objects.create(page=campaign, restriction_type=PageViewRestriction.LOGIN)
    member = Client()
    member.force_login(django_user_model.objects.create_user("member", password="x"))
    cookie = f"{settings.SESSION_COOKIE_NAME}={member.cookies[settings.SESSION_COOKIE_NAME].value}"
    path = f"/en/act/{campaign.pk}/"

    stranger = Answer(application, post(path, VALID | {"email": "stranger@example.org"}))
    signed_in = Answer(application, post(path, VALID, headers={"Cookie": cookie}))

    assert application.actions.paths == [path, path]
    assert (stranger.status, stranger["Location"]) == (303, campaign.url)
    assert (signed_in.status, signed_in["Location"]) == (302, campaign.url + "thank-you/")
    assert list(Signature.objects.values_list("email", flat=True)) == [VALID["email"]]


@pytest.mark.parametrize("prefix", ["/fr", "", "/en"])
def test_invalid_input_is_answered_with_the_form_in_the_campaigns_language(
    application, campaign, prefix
):
    french = translate(campaign, "fr", **FRENCH)
    path = f"{prefix}/act/{french.pk}/"

    answer = Answer(application, post(path, VALID | {"email": "ana@"}))

    assert application.actions.paths == [path]
    assert answer.status == 400
    html = answer.text
    assert '<html lang="fr"' in html
    assert "Veuillez saisir une adresse e-mail valide, comme nom@example.org." in html
    assert 'id="id_email_error"' in html
    assert FRENCH["button_label"] in html
    assert not Signature.objects.exists()


@pytest.mark.parametrize("route", ["form", "api"])
def test_a_nul_in_the_query_string_is_refused_before_the_view(application, campaign, route):
    if route == "form":
        environ = post(f"/en/act/{campaign.pk}/?ref=a%00b", VALID)
        status = 400
    else:
        environ = post_json(f"/api/v3/campaigns/{campaign.pk}/signatures/?ref=a%00b", VALID)
        status = 422

    answer = Answer(application, environ)

    assert application.actions.paths == [environ["PATH_INFO"]]
    assert answer.status == status
    assert not Signature.objects.exists()
