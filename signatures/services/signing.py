"""Taking a supporter's action: validate, store one row, answer.

The request runs one SQL statement and touches no shared counter row, sends no email and
calls nothing slow: the row is itself the outbox entry. With a broker, the workers'
dispatcher picks it up, woken by a push that rides in the rate limit's Redis round trip
(see `outbox`); without one, its follow-up work runs in-process once the response is
complete (`dispatch.dispatch_signature`). The sweeper picks up whatever is left behind. A
new and a repeat action do exactly the same work, so the time an answer takes never tells
whether an address had signed.
"""

from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.utils import timezone

from signatures.services import outbox, representative_targets

from .. import counter, task_names
from ..abuse import ActionRefused, check_address, check_rate
from ..emails import email_key
from ..models import Signature
from .outbox import enqueue_on_commit
from .privacy import consent_record

__all__ = ["ActionRefused", "record_signature"]


def record_signature(
    campaign, details: dict, *, client_ip: str | None = None, source: dict | None = None
) -> tuple[Signature, bool]:
    """Record a supporter's action once; enqueue its follow-up work after the response.

    `campaign` is the translation acted on. `details` are a SignatureForm's cleaned data, `source` where the action came from
    (sources.of_action). Returns the signature (its id set, its other fields as submitted)
    and whether it is new. A repeat of a pending action replaces its details and owes a
    fresh confirmation link; a repeat of any other changes nothing. Callers answer both the
    same way. Raises ActionRefused for a closed campaign, too many actions from one
    connection (429), a disposable address, or a postal code that leads to no
    representative on a campaign that writes to them.
    """
    if refusal := campaign.refusal_message():  # closed, or not open yet
        raise ActionRefused(refusal, status=403)
    handed_over = outbox.dispatcher_hands_over()
    woken = check_rate(client_ip, also=outbox.wake_up if handed_over else None)
    check_address(details["email"])
    # Only a campaign that writes to representatives pays for the lookup (one indexed
    # query with the imported table).
    found = None
    if campaign.writes_to_representatives:
        found = representative_targets.found_for_signing(
            campaign, details.get("postal_code", ""), details.get("district", "")
        )
        if found:  # the district written to, kept for dispatching
            details = details | {"district": found[0].district}
    pending = campaign.confirmation_required
    consent = consent_record(campaign, details)
    # Recorded against the campaign's source page whatever the translation: the unique
    # (campaign, email_key) key then checks duplicates across translations, and the one
    # count covers them all, with no per-translation query on this path.
    source_id = campaign.counter_source.pk
    row = {
        "campaign_id": source_id,
        "page_language": campaign.language,
        "email_key": email_key(details["email"]),
        "status": (Signature.Status.PENDING if pending else Signature.Status.COUNTED).value,
        "ip_address": client_ip,
        **details,
        **(source or {}),
        **consent,
    }
    # While pending, the latest details win: the address's owner confirms them by a fresh
    # link, rather than whoever used the address first.
    # So does the language: the fresh link is written in the translation last acted on.
    latest = [*details, *consent, "ip_address", "page_language"]
    signature, new = _insert_or_update_pending(row, latest)
    # Who the letters will go to, for the thank-you page (None: not known yet).
    signature.representatives = found
    # For a repeat, dispatching finds a fresh link owed, or nothing to do.
    if not handed_over:
        enqueue_on_commit(task_names.DISPATCH_SIGNATURE, signature.pk)
    elif not woken:
        outbox.wake()
    if not pending:
        counter.signed(source_id)  # a repeat's recount changes nothing, and costs the same
    return signature, new


def _insert_or_update_pending(row: dict, latest: list[str]) -> tuple[Signature, bool]:
    """One INSERT ... ON CONFLICT DO UPDATE of `row` (attribute names to values; the model's
    defaults fill in the rest): the signature, its id set, and whether it is new.

    A repeat of a pending row replaces the fields named in `latest` and owes a fresh link.

    The unique (campaign, email_key) constraint finds repeats without a prior SELECT and
    without a race between two identical posts. On its own (the views) the single statement
    commits by itself, sparing BEGIN and COMMIT round trips on the hot path. A repeat of a
    row that is not pending rewrites it unchanged: the same work as any other action.
    """
    fields, sql = _upsert_statement(tuple(latest))
    db = connections[DEFAULT_DB_ALIAS]  # not the proxy: one lookup, not one per field
    row["created_at"] = timezone.now()
    values = [row[name] if name in row else default() for name, default, *_prep in fields]
    params = [
        value if value is None or (plain and type(value) in _PLAIN_VALUES) else prep(value, db)
        for value, (_name, _default, prep, plain) in zip(values, fields, strict=True)
    ]
    this_action = params[_CREATED_AT]
    with _cursor(db) as cursor:
        cursor.execute(sql, [*params, this_action])
        pk, new = cursor.fetchone()
    # As if read back: the positional constructor, far cheaper than one by keywords.
    return Signature.from_db(db.alias, None, [pk, *values]), bool(new)


def _cursor(db):
    """On PostgreSQL, one that has the statement prepared: parsed and planned once per
    connection, not on every action (cms/base/database/postgresql)."""
    prepared_cursor = getattr(db, "prepared_cursor", None)
    return prepared_cursor() if prepared_cursor else db.cursor()


#: Django's own fields that store a value of these types as it is: no preparing needed.
_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.EmailField,
    models.BooleanField,
    models.PositiveIntegerField,
    models.ForeignKey,
)
_PLAIN_VALUES = (str, int, bool)


def _insert_columns() -> list[tuple]:
    """Each column inserted, in the model's order: (attribute name, a function giving its
    default, one preparing a value for the database, whether a plain value needs none)."""
    return [
        (field.attname, field.get_default, field.get_db_prep_save, type(field) in _PLAIN_FIELDS)
        for field in Signature._meta.concrete_fields[1:]  # all but the id
    ]


_CREATED_AT = [field.attname for field in Signature._meta.concrete_fields[1:]].index("created_at")


#: The pending status as an SQL literal: a constant of the code, not a parameter, so that the
#: statement keeps one parameter per column. psycopg caches its parsing of a statement only
#: up to 50 parameters; with the status passed once per update the form's statement had more,
#: and parsing it anew cost about a tenth of the action's CPU.
_PENDING = f"'{Signature.Status.PENDING.value}'"
assert Signature.Status.PENDING.value.isalpha()  # nothing to escape in the literal


@lru_cache(maxsize=64)
def _upsert_statement(latest: tuple[str, ...]) -> tuple[list, str]:
    """(the columns inserted (`_insert_columns`), the statement) for the fields a repeat
    replaces: the same for every action of a campaign, so built once per process (quoting
    some sixty names cost a fifth of the action's CPU)."""
    meta, quote = Signature._meta, connection.ops.quote_name
    fields = meta.concrete_fields[1:]
    table = quote(meta.db_table)

    def while_pending(column: str, value: str) -> str:
        column = quote(column)
        return (
            f"{column} = CASE WHEN {table}.status = {_PENDING} THEN {value} "
            f"ELSE {table}.{column} END"
        )

    updates = [
        while_pending(column, f"EXCLUDED.{quote(column)}")
        for column in (meta.get_field(name).column for name in latest)
    ]
    updates += [
        while_pending("dispatched_at", "NULL"),  # a fresh link is owed: dispatch it
        while_pending("dispatch_due_at", "EXCLUDED.created_at"),  # for the sweeper
        while_pending("link_version", f"{table}.link_version + 1"),  # earlier links stop
    ]
    sql = (
        f"INSERT INTO {table} ({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT (campaign_id, email_key) DO UPDATE SET {', '.join(updates)} "
        "RETURNING id, created_at = %s"  # only a new row has this action's time
    )
    return _insert_columns(), sql
