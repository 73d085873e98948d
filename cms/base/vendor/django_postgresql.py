"""Wrapping a cursor Clarion made itself as Django wraps its own.

`BaseDatabaseWrapper._prepare_cursor` gives a raw cursor Django's wrapper (errors,
query logging, debug SQL). `DatabaseWrapper.cursor()` offers only the cursor class Django
chose; the prepared INSERT (cms/base/database/postgresql) needs psycopg's server-binding cursor
with `prepare=True`, through the same wrapper.
"""

LIBRARY = "django"
TESTED = ((5, 2),)
UPSTREAM = "django/db/backends/base/base.py, BaseDatabaseWrapper._prepare_cursor"


def wrap_cursor(database_wrapper, cursor):
    return database_wrapper._prepare_cursor(cursor)
