"""Supporters made in bulk: copies of one signature row, each with an address of its own,
by INSERT ... SELECT over generate_series (the count's trigger counts each row, as it
would an action). Shared by the benchmarks and the fault tests that need many supporters."""

# Rows per transaction. The trigger adds each row to one counter row, and PostgreSQL
# cannot prune that row's versions until their transaction ends: one statement for a
# million rows walks an ever longer chain of them (over 10 minutes), batches do not.
BATCH = 10_000


def add_copies(template_id: int, first: int, last: int, **expressions: str) -> None:
    """Copies of signature `template_id` numbered `first` to `last` (g in SQL), addressed
    `bench-<g>@example.org`, counted and dispatched; `expressions`: other columns as SQL over g, e.g.
    consent="mod(g, 10) <> 0" (no %: the statement has parameters). Each batch commits
    on its own unless the caller holds a transaction."""
    from django.db import connection, transaction

    from signatures.models import Signature

    columns = [f.column for f in Signature._meta.concrete_fields if not f.primary_key]
    made = {
        "email": "'bench-' || g || '@example.org'",
        "email_key": "'bench-' || g || '@example.org'",
        "status": "'counted'",
        "dispatched_at": "now()",  # handled already: no worker owes them letters or emails
    } | expressions
    values = ", ".join(made.get(column, column) for column in columns)
    statement = (
        f"INSERT INTO {Signature._meta.db_table} ({', '.join(columns)}) SELECT {values} "  # noqa: S608
        f"FROM {Signature._meta.db_table}, generate_series(%s, %s) AS g WHERE id = %s"
    )
    for start in range(first, last + 1, BATCH):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [start, min(start + BATCH - 1, last), template_id])
