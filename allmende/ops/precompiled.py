"""Hot queries compiled to SQL by the ORM once per process instead of at every request.

Compiling a queryset (joins, subqueries, the column list) costs far more CPU than running a simple
query: the five EXISTS of a proposal's timeline took 1.4 ms to compile and a tenth of that to run. A
`Precompiled` builds its queryset once, with marker values standing for the parameters, and later only
puts the real values where the markers were. The ORM still writes the SQL, so it follows the models.
"""

from typing import Any, NamedTuple

from django.db import connection
from django.db.models.base import ModelState

# Marker values for ids and numbers: no real row has them.
ANY_ID = 7_394_621_000_000_001
ANY_NUMBER = 2_147_480_001


class _Compiled(NamedTuple):
    sql: str
    params: tuple
    positions: tuple[int, ...]  # where each marker's value goes in params
    names: tuple[str, ...]  # annotated columns
    loading: Any  # (model, field names, converters) for objects(), None if not one model's own columns


class Precompiled:
    """`build(*markers)` returns the queryset; `sql(*values)` returns its SQL and parameters with the
    values in the markers' places. Markers must be values no real parameter takes (ANY_ID, ANY_ID + 1, …,
    ANY_NUMBER for a 32-bit column)."""

    def __init__(self, build, *markers):
        self.build = build
        self.markers = markers
        self._compiled = {}

    def _compile(self) -> _Compiled:
        queryset = self.build(*self.markers)
        query = queryset.query
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        positions = []
        for marker in self.markers:
            found = [i for i, value in enumerate(params) if value == marker]
            if len(found) != 1:
                raise ValueError(f"marker {marker} appears {len(found)} times in {params}")
            positions.append(found[0])
        # For objects(): which field each column fills, and how the ORM converts its values.
        columns = [expression for expression, _sql, _alias in compiler.select]
        fields = [getattr(getattr(c, "target", None), "attname", None) for c in columns]
        # A model's own columns, then its annotations (`.annotate(...)`), each set as an attribute.
        own = [f.attname for f in queryset.model._meta.concrete_fields]
        annotations = tuple(query.annotation_select)
        plain = fields[: len(own)] == own and len(fields) == len(own) + len(annotations)
        converters = tuple(compiler.get_converters(columns).items())
        loading = (queryset.model, own, converters, annotations) if plain else None
        return _Compiled(sql, tuple(params), tuple(positions), annotations, loading)

    def _compiled_here(self) -> _Compiled:
        """The compiled query for this connection's database (compiled at the first call)."""
        compiled = self._compiled.get(connection.vendor)
        if compiled is None:
            compiled = self._compiled[connection.vendor] = self._compile()
        return compiled

    def sql(self, *values) -> tuple[str, list]:
        compiled = self._compiled_here()
        params = list(compiled.params)
        for position, value in zip(compiled.positions, values, strict=True):
            params[position] = value
        return compiled.sql, params

    def rows(self, *values) -> list[tuple]:
        """Run the query with these values: its rows as tuples (no model instances, no conversions)."""
        with connection.cursor() as cursor:
            cursor.execute(*self.sql(*values))
            return cursor.fetchall()

    def objects(self, *values) -> list:
        """Run the query with these values: model instances, each column converted as the ORM converts
        it, annotations set as attributes. Only for a queryset of one model's own columns and its
        annotations (no select_related or deferred fields); a RawQuerySet would work out the columns'
        order and converters again at every call."""
        loading = self._compiled_here().loading
        if loading is None:
            raise ValueError("objects() needs a queryset of one model's own columns")
        model, fields, converters, annotations = loading
        rows = self.rows(*values)
        if converters:
            rows = [list(row) for row in rows]
            for row in rows:
                for position, (functions, expression) in converters:
                    value = row[position]
                    for function in functions:
                        value = function(value, expression, connection)
                    row[position] = value
        if not annotations:
            return [model.from_db(connection.alias, fields, row) for row in rows]
        own = len(fields)
        found = []
        for row in rows:
            instance = model.from_db(connection.alias, fields, row[:own])
            for name, value in zip(annotations, row[own:], strict=True):
                setattr(instance, name, value)
            found.append(instance)
        return found

    def names(self) -> tuple[str, ...]:
        """The names of the annotated columns (for a `values(name=expression, ...)` queryset)."""
        return self._compiled_here().names


def copy_as_read(instance, related=None):
    """A copy of a model instance as read from the database, for one caller: its own state and cache
    of related objects (`related`), its attributes shared. Only for instances kept for many requests
    whose attributes are all immutable (text, numbers, booleans, datetimes, frozensets): the kept
    rounds (rounds.queries), the sessions' persons (accounts.sessions). About a fifth of what a round
    trip through pickle costs (the page of a proposal copied its round in 80 µs, 6 % of its
    rendering)."""
    copy = object.__new__(type(instance))
    copy.__dict__.update(instance.__dict__)
    state = copy._state = ModelState()
    state.db, state.adding = instance._state.db, False
    state.fields_cache = {} if related is None else related
    return copy
