"""Django's PostgreSQL backend with each query counted and timed for Prometheus.

Under django-prometheus's metric names (`django_db_*`), but each query costs two
increments and one observation on children looked up once per connection, instead of
django-prometheus's three `labels()` lookups and two context managers (about 45 µs a query;
this is a few). Only PostgreSQL: other engines keep django-prometheus's own wrappers.
"""

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


class DatabaseWrapper(base.DatabaseWrapper):
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
        return params
