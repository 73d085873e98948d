from django.db.backends.postgresql import operations


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        # psycopg keeps no text of a prepared statement's execution: the statement with its
        # parameters, as Django shows for server-side binding.
        executed = super().last_executed_query(cursor, sql, params)
        if executed is None:
            try:
                return self.compose_sql(sql, params)
            except Exception:  # a parameter psycopg cannot write as SQL: the statement alone
                return sql
        return executed
