"""One-row reads by primary key whose SQL is compiled once per process.

Building and compiling a Django query costs about half a millisecond of Python; running it on the primary key
costs a tenth of that. The reads that every ticket event makes (automation's facts, the SLA's clocks) are the
same query each time with another id, so they are compiled once per database and then only executed: the
SQL, its parameters and the fields' converters (time zones, JSON) come from Django's own compiler, so the row
is exactly what the queryset would have returned.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections
from django.db.models import QuerySet

# The primary key the template query is built with; replaced by the real one in the parameters.
PLACEHOLDER = -7_310_000_001


class PreparedRead:
    """`build()` gives a `values_list` queryset filtered on `pk=PLACEHOLDER`; `fetch(pk)` runs it for `pk`."""

    def __init__(self, build: Callable[[], QuerySet]):
        self._build = build
        self._compiled: dict[str, tuple[str, list[Any], int, list[tuple[int, tuple, Any]]]] = {}

    def _compile(self, using: str) -> tuple[str, list[Any], int, list[tuple[int, tuple, Any]]]:
        compiler = self._build().query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        params = list(params)
        if params.count(PLACEHOLDER) != 1:
            raise ValueError("a prepared read filters on the primary key exactly once")
        fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
        converters = [
            (pos, tuple(convs), expr) for pos, (convs, expr) in compiler.get_converters(fields).items()
        ]
        compiled = (sql, params, params.index(PLACEHOLDER), converters)
        self._compiled[using] = compiled
        return compiled

    def fetch(self, pk: int, *, using: str = "default") -> list[Any] | None:
        """The row of `pk` as the queryset's values_list would give it, or None."""
        sql, params, index, converters = self._compiled.get(using) or self._compile(using)
        params = params.copy()
        params[index] = pk
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchone()
        if found is None:
            return None
        row = list(found)
        for pos, convs, expression in converters:
            value = row[pos]
            for converter in convs:
                value = converter(value, expression, connection)
            row[pos] = value
        return row

    def forget(self) -> None:
        """Compile again on the next fetch (tests that switch databases)."""
        self._compiled.clear()


def instance(model, using: str, names: tuple[str, ...], values: Sequence[Any]) -> Any:
    """A model instance of some of its columns, the others deferred (`Model.from_db` wants the values in the
    model's field order, which `names` need not follow)."""
    order, positions = _field_order(model, names)
    return model.from_db(using, order, [values[position] for position in positions])


@functools.cache
def _field_order(model, names: tuple[str, ...]) -> tuple[list[str], list[int]]:
    order = [field.attname for field in model._meta.concrete_fields if field.attname in names]
    return order, [names.index(name) for name in order]
