"""Hot reads whose SQL is built once per process, then run again with other values.

The ORM builds a query's SQL anew every time it runs: for the few small reads every API request makes (its
token, a requester by address, a new ticket's fact columns) building the SQL cost more than running it
(docs/performance.md). A `PreparedRead` builds its queryset once per database with marker values in place of
the parameters, keeps the SQL and the positions of the markers among its parameters, and afterwards only puts
the values in their places and runs the SQL through Django's own compiler, so the rows are converted as usual
(datetimes, booleans) and come back as the queryset would give them: model instances with their
`select_related` objects, or dicts for `.values()`. Every run reads the database: nothing is cached but SQL.
"""

from __future__ import annotations

import copy
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Model, QuerySet
from django.db.models.constants import OnConflict
from django.db.models.fields import AutoFieldMixin
from django.db.models.query import ModelIterable, ValuesIterable, get_related_populators
from django.db.models.signals import post_save, pre_save
from django.db.models.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class _Compiled:
    compiler: SQLCompiler
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[str, tuple[int, ...]], ...]  # parameter name, its positions in `params`
    names: tuple[str, ...] | None  # the keys of a `.values()` row; None: model instances
    # The value converters of the columns, per connection (they are the backend's, bound to it).
    converters: weakref.WeakKeyDictionary = field(default_factory=weakref.WeakKeyDictionary)


class PreparedRead:
    """`build(**markers)` returns the queryset (a model or `.values()` queryset; slice it for a LIMIT); each
    marker is a value the real parameters never take, of the type the field expects (a string with a NUL
    for text, a negative number for ids, a datetime in year 1 for a moment). Values passed to `rows` go to
    the database as they are, datetimes and dates adapted as the ORM adapts them."""

    def __init__(self, build: Callable[..., QuerySet], **markers: Any) -> None:
        self._build = build
        self._markers = markers
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _compile(self, using: str) -> _Compiled:
        queryset = self._build(**self._markers)
        if queryset._iterable_class not in (ModelIterable, ValuesIterable):
            raise TypeError("A prepared read returns model instances or .values() dicts.")
        if queryset._prefetch_related_lookups or queryset._known_related_objects:
            raise TypeError("A prepared read cannot prefetch.")
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = []
        for name, marker in self._markers.items():
            marker = _adapt(compiler.connection, marker)  # as the ORM put it among the parameters
            positions = tuple(
                i for i, value in enumerate(params) if type(value) is type(marker) and value == marker
            )
            if not positions:
                raise ValueError(f"The marker of {name!r} is not among the query's parameters.")
            slots.append((name, positions))
        names = None
        if queryset._iterable_class is ValuesIterable:
            query = queryset.query
            names = tuple(
                query.selected or [*query.extra_select, *query.values_select, *query.annotation_select]
            )
        return _Compiled(compiler, sql, tuple(params), tuple(slots), names)

    def rows(self, **values: Any) -> list[Any]:
        """The rows of the query with these values (instances or dicts, as the queryset gives them)."""
        if values.keys() != self._markers.keys():
            raise TypeError(f"Expected the values of {sorted(self._markers)}, got {sorted(values)}.")
        using = router.db_for_read(self._model())
        compiled = self._compiled.get(using)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(using) or self._compile(using)
                self._compiled[using] = compiled
        connection = connections[using]
        params = list(compiled.params)
        for name, positions in compiled.slots:
            for position in positions:
                params[position] = _adapt(connection, values[name])
        # A copy for this run: the thread's own connection, the stored SQL with this run's values.
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connection
        compiler.as_sql = lambda *args, **kwargs: (compiled.sql, tuple(params))  # type: ignore[method-assign]
        converters = compiled.converters.get(connection)
        if converters is None:
            columns = [column[0] for column in compiler.select[: compiler.col_count]]
            converters = compiler.get_converters(columns)
            with self._lock:
                compiled.converters[connection] = converters
        found = chain.from_iterable(compiler.execute_sql())
        if converters:
            found = compiler.apply_converters(found, converters)
        if compiled.names is not None:
            return [dict(zip(compiled.names, row, strict=True)) for row in found]
        return list(_instances(compiler, found, using))

    def first(self, **values: Any) -> Any:
        found = self.rows(**values)
        return found[0] if found else None

    def _model(self):
        if not hasattr(self, "_model_class"):
            self._model_class = self._build(**self._markers).model
        return self._model_class


def _adapt(connection, value: Any) -> Any:
    """A datetime or date as the ORM passes it to this database (SQLite: text in UTC)."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value


def _instances(compiler: SQLCompiler, rows, using: str):
    """Model instances from a compiled query's rows, with their select_related objects (as ModelIterable)."""
    select, klass_info = compiler.select, compiler.klass_info
    model_cls = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    init_list = [column[0].target.attname for column in select[start:end]]
    populators = get_related_populators(klass_info, select, using)
    for row in rows:
        obj = model_cls.from_db(using, init_list, row[start:end])
        for populator in populators:
            populator.populate(row, obj)
        yield obj


# --- inserts ------------------------------------------------------------------------------------------------

_INSERT_SQL: dict[tuple, str] = {}


def insert_objects(
    objs: Sequence[Model], *, unique_fields: Sequence[str] = (), update_fields: Sequence[str] = ()
) -> None:
    """`bulk_create` for the few rows of a hot write (a new ticket's events, its facts), with the SQL of
    each shape built once per process: the values are prepared by their fields as the ORM prepares them
    (`pre_save`, `get_db_prep_save`), new primary keys are read back (RETURNING), and with `unique_fields` a
    conflicting row gets `update_fields` from the new one. Like `bulk_create`, no signal is sent. Objects
    holding an expression, or a mix of rows with and without a primary key, go through `bulk_create`."""
    if not objs:
        return
    model = type(objs[0])
    opts = model._meta
    using = router.db_for_write(model)
    connection = connections[using]
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    new_keys = [obj.pk is None for obj in objs]
    auto_key = isinstance(opts.pk, AutoFieldMixin) and all(new_keys)
    fields = [f for f in opts.concrete_fields if not f.generated and not (auto_key and f is opts.pk)]
    rows = [[field.pre_save(obj, True) for field in fields] for obj in objs]
    if (any(new_keys) and not auto_key) or any(hasattr(v, "resolve_expression") for row in rows for v in row):
        model.objects.bulk_create(
            objs,
            update_conflicts=bool(unique_fields),
            unique_fields=unique_fields or None,
            update_fields=update_fields or None,
        )
        return
    per_statement = max(1, connection.ops.bulk_batch_size(fields, objs))
    # As the ORM's writes: a failure inside an atomic block marks it for rollback.
    with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
        for start in range(0, len(objs), per_statement):
            chunk = rows[start : start + per_statement]
            sql = _insert_sql(connection, model, fields, len(chunk), auto_key, unique_fields, update_fields)
            cursor.execute(
                sql,
                [
                    field.get_db_prep_save(v, connection)
                    for row in chunk
                    for field, v in zip(fields, row, strict=True)
                ],
            )
            if auto_key:
                for obj, (key,) in zip(objs[start : start + per_statement], cursor.fetchall(), strict=True):
                    obj.pk = key
    for obj in objs:
        obj._state.adding = False
        obj._state.db = using


def insert_object(obj: Model) -> None:
    """`obj.save(force_insert=True)` for a hot write (a new ticket, its first message): through
    `insert_objects` while nothing listens to the model's save signals (all a save then does is the INSERT),
    else through `save`."""
    model = type(obj)
    if model._meta.parents or pre_save.has_listeners(model) or post_save.has_listeners(model):
        obj.save(force_insert=True)
    else:
        insert_objects([obj])


def _insert_sql(connection, model, fields, count, returning, unique_fields, update_fields) -> str:
    shape = (
        connection.alias,
        connection.vendor,
        model,
        count,
        returning,
        tuple(unique_fields),
        tuple(update_fields),
    )
    sql = _INSERT_SQL.get(shape)
    if sql is None:
        opts, quote = model._meta, connection.ops.quote_name
        one_row = f"({', '.join(['%s'] * len(fields))})"
        sql = (
            # Table and column names come from the model; every value is a parameter.
            f"INSERT INTO {quote(opts.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
            f"VALUES {', '.join([one_row] * count)}"
        )
        if unique_fields:
            sql += " " + connection.ops.on_conflict_suffix_sql(
                fields,
                OnConflict.UPDATE,
                [opts.get_field(name).column for name in update_fields],
                [opts.get_field(name).column for name in unique_fields],
            )
        if returning:
            sql += f" RETURNING {quote(opts.pk.column)}"
        _INSERT_SQL[shape] = sql
    return sql


# --- plans --------------------------------------------------------------------------------------------------


def generic_plans(using: str = "default") -> None:
    """For the rest of the current transaction, let PostgreSQL plan each prepared statement once for any
    values (a generic plan) instead of anew for each run's values (Awn's `plan_cache_mode=force_custom_plan`,
    settings.py). For transactions whose statements all look rows up by key or insert them, like a new
    ticket's: planning was most of PostgreSQL's work there, and a plan that ignores the values cannot be
    worse for them. Elsewhere (the desk's lists) generic plans were 5x slower. Nothing on SQLite, or
    outside a transaction (SET LOCAL would not outlive the statement), or without server-side binding (no
    statement is prepared)."""
    connection = connections[using]
    if (
        connection.vendor == "postgresql"
        and connection.in_atomic_block
        and connection.features.uses_server_side_binding
    ):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
