"""Database unavailable: the action answers 503 with a clear message, and nothing is half-written."""

import socket
from contextlib import contextmanager

import psycopg
import pytest
from django.db import connection
from django.urls import reverse

from signatures.models import Delivery, Signature
from tests.factories import SUPPORTER

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DETAILS = SUPPORTER | {"country": "PT"}


@contextmanager
def database_unreachable():
    """Point the connection at a loopback port that refuses connections, then put it back.

    The shared PostgreSQL server keeps running for everyone else; only this process loses it.
    """
    with socket.socket() as refusing:
        refusing.bind(("127.0.0.1", 0))  # bound but never listening: connections are refused
        saved = connection.settings_dict["HOST"], connection.settings_dict["PORT"]
        connection.close()
        connection.settings_dict["HOST"] = "127.0.0.1"
        connection.settings_dict["PORT"] = refusing.getsockname()[1]
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict["HOST"], connection.settings_dict["PORT"] = saved


def assert_clear_503(response, caplog):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "We can't take your action right now" in page
    assert "nothing you sent has been saved" in page
    assert "Traceback" not in page and "OperationalError" not in page
    assert not [record for record in caplog.records if record.exc_info]


def test_the_action_answers_503_when_the_database_is_unreachable(client, campaign, caplog):
    url = reverse("signatures:sign", args=[campaign.pk])
    with database_unreachable():
        response = client.post(url, DETAILS)
    assert_clear_503(response, caplog)
    assert not Signature.objects.exists()

    # Once the database is back, the same action goes through.
    assert client.post(url, DETAILS).status_code == 302
    assert Signature.objects.get().email == DETAILS["email"]


def test_the_campaign_page_answers_503_when_the_database_is_unreachable(client, campaign, caplog):
    url = campaign.url
    with database_unreachable():
        response = client.get(url)
    assert_clear_503(response, caplog)
    assert client.get(url).status_code == 200


def test_a_connection_lost_in_the_middle_of_an_action_leaves_nothing_half_written(
    client, campaign, caplog
):
    """The server drops our connection as the action's row is being written: nothing is
    stored (no signature, no delivery), and the supporter is told to try again."""
    settings = connection.settings_dict

    def drop_connection_before_the_insert(execute, sql, params, many, context):
        # At the SQL, not a model signal: the action's row is written by one raw
        # INSERT ... ON CONFLICT, which sends no pre_save.
        if sql.startswith("INSERT INTO") and Signature._meta.db_table in sql.split("(")[0]:
            backend_pid = connection.connection.info.backend_pid
            with psycopg.connect(
                host=settings["HOST"] or "127.0.0.1",
                port=settings["PORT"] or 5432,
                user=settings["USER"],
                dbname=settings["NAME"],
                autocommit=True,
            ) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", [backend_pid])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(drop_connection_before_the_insert):
        response = client.post(reverse("signatures:sign", args=[campaign.pk]), DETAILS)

    assert_clear_503(response, caplog)
    # The next request opens a new connection (the test client skips Django's clean-up of
    # broken connections at the end of a request, so do it here).
    connection.close()
    assert not Signature.objects.exists()
    assert not Delivery.objects.exists()
