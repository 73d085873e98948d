"""Supporters made in bulk: copies of one signature row, each with an address of its own,
by one INSERT ... SELECT over generate_series (the count's trigger counts each row, as it
would an action). Shared by the benchmarks and the fault tests that need many supporters."""


def add_copies(template_id: int, first: int, last: int, **expressions: str) -> None:
    """Copies of signature `template_id` numbered `first` to `last` (g in SQL), addressed
    `bench-<g>@example.org`, counted and dispatched; `expressions`: other columns as SQL over g, e.g.
    consent="mod(g, 10) <> 0" (no %: the statement has parameters)."""
    from django.db import connection

    from signatures.models import Signature

    columns = [f.column for f in Signature._meta.concrete_fields if not f.primary_key]
    made = {
        "email": "'bench-' || g || '@example.org'",
        "email_key": "'bench-' || g || '@example.org'",
        "status": "'counted'",
        "dispatched_at": "now()",  # handled already: no worker owes them letters or emails
    } | expressions
    values = ", ".join(made.get(column, column) for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Signature._meta.db_table} ({', '.join(columns)}) SELECT {values} "  # noqa: S608
            f"FROM {Signature._meta.db_table}, generate_series(%s, %s) AS g WHERE id = %s",
            [first, last, template_id],
        )
