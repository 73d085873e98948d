"""Django's PostgreSQL backend with each query counted and timed for Prometheus, and
prepared statements for the statement every action runs.

Under django-prometheus's metric names (`django_db_*`), but each query costs two
increments and one observation on children looked up once per connection, instead of
django-prometheus's three `labels()` lookups and two context managers (about 45 µs a query;
this is a few). Only PostgreSQL: other engines keep django-prometheus's own wrappers.

Django binds parameters on the client and never prepares, so PostgreSQL parses and plans
every statement anew: for the action's INSERT of some fifty columns, a quarter of the
database's CPU per action. `prepared_cursor()` gives a cursor whose statements the server
parses and plans once per connection (server-side binding, psycopg's `prepare=True`),
through Django's cursor wrapper like any other (errors, query logging, metrics). Only where
connections live on (CONN_MAX_AGE) and no transaction pooler stands between
(DISABLE_SERVER_SIDE_CURSORS: PgBouncer's transaction mode may run the next statement on
another server connection); elsewhere it is an ordinary cursor.
"""

import sys
import time

from django.db.backends.postgresql import base
from django_prometheus.db import (
    connection_errors_total,
    connections_total,
    errors_total,
    execute_many_total,
    execute_total,
    query_duration_seconds,
)

from cms.base.vendor import django_postgresql

from .operations import DatabaseOperations


def measured_cursor(cursor_class, alias: str, vendor: str):
    """A subclass of psycopg's cursor class that counts and times what it executes."""
    executed = execute_total.labels(alias, vendor)
    executed_many = execute_many_total.labels(alias, vendor)
    duration = query_duration_seconds.labels(alias, vendor)

    def failed(error):
        errors_total.labels(alias, vendor, type(error).__name__).inc()

    class MeasuredCursor(cursor_class):
        def execute(self, *args, **kwargs):
            executed.inc()
            started = time.perf_counter()
            try:
                return super().execute(*args, **kwargs)
            except Exception as error:
                failed(error)
                raise
            finally:
                duration.observe(time.perf_counter() - started)

        def executemany(self, query, params_seq, *args, **kwargs):
            params_seq = list(params_seq)
            executed.inc(len(params_seq))
            executed_many.inc(len(params_seq))
            started = time.perf_counter()
            try:
                return super().executemany(query, params_seq, *args, **kwargs)
            except Exception as error:
                failed(error)
                raise
            finally:
                duration.observe(time.perf_counter() - started)

    return MeasuredCursor


class PreparingCursor(base.ServerBindingCursor):
    """psycopg's server-binding cursor, preparing every statement it executes."""

    def execute(self, query, params=None, *, prepare=True, binary=None):
        return super().execute(query, params, prepare=prepare, binary=binary)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    _measured_cursors: dict = {}  # psycopg's cursor class -> its measured subclass

    def get_new_connection(self, *args, **kwargs):
        connections_total.labels(self.alias, self.vendor).inc()
        try:
            return super().get_new_connection(*args, **kwargs)
        except Exception:
            connection_errors_total.labels(self.alias, self.vendor).inc()
            raise

    def get_connection_params(self):
        params = super().get_connection_params()
        factory = params["cursor_factory"]
        key = (factory, self.alias)
        if key not in self._measured_cursors:
            self._measured_cursors[key] = measured_cursor(factory, self.alias, self.vendor)
        params["cursor_factory"] = self._measured_cursors[key]
        if params.get("prepare_threshold") is None and self._prepares():
            # Django turns psycopg's preparing off; on, psycopg prepares what a
            # prepared_cursor() runs, and nothing else: Django's own cursors bind on the
            # client, which never prepares.
            params["prepare_threshold"] = sys.maxsize
        return params

    def _prepares(self) -> bool:
        settings = self.settings_dict
        return settings["CONN_MAX_AGE"] != 0 and not settings.get("DISABLE_SERVER_SIDE_CURSORS")

    def prepared_cursor(self):
        """A cursor for a statement run again and again (module docstring)."""
        if not self._prepares():
            return self.cursor()
        key = (PreparingCursor, self.alias)
        if key not in self._measured_cursors:
            self._measured_cursors[key] = measured_cursor(PreparingCursor, self.alias, self.vendor)
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            return django_postgresql.wrap_cursor(self, self._measured_cursors[key](self.connection))
