"""The action's INSERT is prepared once per connection where connections persist, and only
there (cms/base/database/postgresql `prepared_cursor()`, signatures/services/signing.py).

psycopg's preparing is set when a connection opens, so each test closes the connection
before and after: outside a test transaction, hence transactional tests.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from signatures.models import Signature
from signatures.services.signing import record_signature
from tests.factories import SUPPORTER, CampaignPageFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DETAILS = SUPPORTER | {"country": "PT", "consent": True}
INSERT = 'INSERT INTO "signatures_signature"'


@pytest.fixture
def database(request):
    """The connection, reopened with the settings the test is parametrised with."""
    changes = getattr(request, "param", {"CONN_MAX_AGE": 60})
    saved = {name: connection.settings_dict.get(name) for name in changes}
    connection.close()
    connection.settings_dict.update(changes)
    yield connection
    connection.close()
    connection.settings_dict.update(saved)


def prepared_statements(db):
    with db.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        return [statement for (statement,) in cursor.fetchall()]


def test_two_actions_run_one_prepared_insert_and_store_their_rows(database, site):
    campaign = CampaignPageFactory(parent=site.root_page)

    first, new_first = record_signature(campaign, DETAILS, client_ip="192.0.2.1")
    second, new_second = record_signature(
        campaign, DETAILS | {"email": "bo@example.org", "country": "FR"}, client_ip="2001:db8::2"
    )

    assert new_first and new_second
    [statement] = prepared_statements(database)
    assert statement.startswith(INSERT)
    for signature, (email, country, address) in [
        (first, ("ana@example.org", "PT", "192.0.2.1")),
        (second, ("bo@example.org", "FR", "2001:db8::2")),
    ]:
        stored = Signature.objects.get(pk=signature.pk)
        assert (stored.email, stored.country.code, stored.ip_address) == (email, country, address)
        assert stored.status == Signature.Status.COUNTED
        assert stored.consent and stored.consent_at is not None
        assert stored.consent_at == signature.consent_at
        assert stored.created_at == signature.created_at
    assert first.created_at < second.created_at


@pytest.mark.parametrize(
    "database",
    [{"CONN_MAX_AGE": 0}, {"CONN_MAX_AGE": 60, "DISABLE_SERVER_SIDE_CURSORS": True}],
    indirect=True,
    ids=["connections-closed", "behind-a-transaction-pooler"],
)
def test_nothing_is_prepared_where_a_connection_may_not_be_the_same(database, site):
    campaign = CampaignPageFactory(parent=site.root_page)

    record_signature(campaign, DETAILS, client_ip="192.0.2.1")
    record_signature(campaign, DETAILS | {"email": "bo@example.org"}, client_ip="192.0.2.1")

    assert prepared_statements(database) == []
    assert database.connection.prepare_threshold is None
    assert Signature.objects.count() == 2


def test_a_repeat_while_pending_still_updates_the_details_and_owes_a_fresh_link(database, site):
    campaign = CampaignPageFactory(parent=site.root_page, confirmation_required=True)

    first, new = record_signature(campaign, DETAILS, client_ip="192.0.2.1")
    before = Signature.objects.get(pk=first.pk)
    repeat, again = record_signature(
        campaign, DETAILS | {"first_name": "Ana Maria", "country": "BR"}, client_ip="192.0.2.9"
    )

    assert (new, again) == (True, False)
    assert repeat.pk == first.pk
    [statement] = prepared_statements(database)
    assert statement.startswith(INSERT)
    stored = Signature.objects.get()
    assert stored.status == Signature.Status.PENDING
    assert (stored.first_name, stored.country.code, stored.ip_address) == (
        "Ana Maria",
        "BR",
        "192.0.2.9",
    )
    assert stored.link_version == before.link_version + 1
    assert stored.created_at == before.created_at  # the first action's row, updated


def test_the_prepared_insert_is_logged_with_its_values(database, site):
    campaign = CampaignPageFactory(parent=site.root_page)
    record_signature(campaign, DETAILS, client_ip="192.0.2.1")  # prepared from here on

    with CaptureQueriesContext(database) as queries:
        record_signature(campaign, DETAILS | {"email": "bo@example.org"}, client_ip="192.0.2.1")

    [sql] = [query["sql"] for query in queries if (query["sql"] or "").startswith(INSERT)]
    assert "'bo@example.org'" in sql
    assert [query for query in queries if query["sql"] is None] == []
    [statement] = prepared_statements(database)
    assert statement.startswith(INSERT)


def test_the_widest_forms_insert_stays_within_psycopgs_statement_cache(client, database, site):
    """psycopg converts a statement's placeholders once and caches the result, but only for
    statements of at most 50 parameters (MAX_CACHED_STATEMENT_PARAMS in psycopg/_queries.py);
    beyond that it parses the statement again on every action, about a tenth of its CPU. So
    the INSERT carries one parameter per column and one for the action's time, however many
    fields the form has and a repeat would replace."""
    campaign = CampaignPageFactory(
        parent=site.root_page,
        country_field="required",
        postal_code_field="optional",
        phone_field="optional",
        consent_text="Keep me posted",
        letter_editable=True,
    )
    executed = []

    def record(execute, sql, params, many, context):
        executed.append((sql, params))
        return execute(sql, params, many, context)

    post = SUPPORTER | {
        "country": "PT",
        "postal_code": "1000-001",
        "phone": "+351 912 345 678",
        "consent": "on",
        "letter_subject": "Please act",
        "letter_body": "Dear minister, please act.",
        "personal_note": "It matters to me.",
        "utm_source": "newsletter",
        "utm_medium": "email",
        "utm_campaign": "spring",
    }
    with database.execute_wrapper(record):
        response = client.post(f"/en/act/{campaign.pk}/", post)

    assert response.status_code == 302, response.content[:500]
    [(sql, params)] = [(sql, params) for sql, params in executed if sql.startswith(INSERT)]
    columns = len(Signature._meta.concrete_fields) - 1  # all but the id
    assert len(params) == columns + 1
    assert len(params) <= 50
    assert len(sql) <= 4096  # psycopg's other limit (MAX_CACHED_STATEMENT_LENGTH)
    stored = Signature.objects.get()
    assert (stored.phone, stored.personal_note, stored.utm_source) == (
        "+351912345678",
        "It matters to me.",
        "newsletter",
    )
