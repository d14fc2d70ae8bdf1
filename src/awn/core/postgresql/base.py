"""Django's PostgreSQL backend, knowing PostgreSQL's limit of 65,535 bound values per statement.

Awn binds values on the server (`server_side_binding`, settings.py: statements are parsed once per kept
connection). The protocol then counts every value: a statement can carry at most 65,535 (a 16-bit count in
the Bind message), and psycopg refuses more ("number of parameters must be between 0 and 65535"). Django's
backend assumes client-side binding, where values are spliced into the SQL text and there is no such limit,
so its `bulk_create` and Awn's `insert_objects` sent every row of a large batch in one statement: rebuilding
the report facts of a generated data set failed on its first batch. With server-side binding on, this backend
says so through `features.max_query_params`, and `bulk_batch_size` splits inserts to fit, as Django does for
SQLite and Oracle; `in_bulk` batches its lookups by the same figure.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from django.db import models
from django.db.backends.postgresql import base as postgresql_base
from django.db.backends.postgresql import features as postgresql_features
from django.db.backends.postgresql import operations as postgresql_operations
from django.utils.functional import cached_property

# django-stubs types these loosely; the subclasses only add a limit.
PostgreSQLWrapper: Any = postgresql_base.DatabaseWrapper
PostgreSQLFeatures: Any = postgresql_features.DatabaseFeatures
PostgreSQLOperations: Any = postgresql_operations.DatabaseOperations

# The Bind message counts parameters in an Int16 (PostgreSQL's protocol, "Bind").
MAX_BOUND_VALUES = 2**16 - 1


class DatabaseFeatures(PostgreSQLFeatures):
    @cached_property
    def max_query_params(self) -> int | None:
        return MAX_BOUND_VALUES if self.uses_server_side_binding else None


class DatabaseOperations(PostgreSQLOperations):
    def bulk_batch_size(self, fields, objs) -> int:
        """How many rows one INSERT may carry: all of them with client-side binding, else as many as fit."""
        limit = self.connection.features.max_query_params
        columns = list(
            chain.from_iterable(
                field.fields if isinstance(field, models.CompositePrimaryKey) else [field] for field in fields
            )
        )
        if limit and columns:
            return max(1, limit // len(columns))
        return len(objs)


class DatabaseWrapper(PostgreSQLWrapper):
    features_class = DatabaseFeatures
    ops_class = DatabaseOperations
