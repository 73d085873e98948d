"""The site's own error pages: plain, translatable, and rendered without the database."""

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error


@pytest.mark.django_db
def test_an_unknown_address_gets_the_sites_not_found_page(client, site):
    response = client.get("/no-such-campaign/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "We can't find that page" in page
    assert '<a href="/">Go to the home page</a>' in page


def test_a_server_error_page_needs_nothing_but_the_template():
    response = server_error(RequestFactory().get("/"))  # no database here: a query would fail

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
