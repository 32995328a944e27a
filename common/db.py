"""Hand-written SQL for the few hottest statements, with the ORM's own conversions.

Composing a query with the ORM costs more CPU than sending it: on the hottest path (an
autosave: a read of the scan with its organisation and edition, a read and a write of an
answer and of its change record) composing took about half the request. Those statements are
written out, each composed once per process, with Django's own quoting, value preparation
(``get_db_prep_save``) and conversion of what comes back (``from_db`` and the fields'
converters), so that the instances are the ORM's own. Everything else uses the ORM.
"""

from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model


def _connection():
    # The connection itself, not django.db.connection: every attribute of that proxy is a
    # lookup of the current thread's connection.
    return connections[DEFAULT_DB_ALIAS]


def quote(name: str) -> str:
    return _connection().ops.quote_name(name)


def table(model: type[Model]) -> str:
    return quote(model._meta.db_table)


@cache
def _columns(vendor: str, model: type[Model], alias: str) -> str:
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


def columns(model: type[Model], alias: str) -> str:
    """The model's columns, qualified by ``alias``, in the order ``instances`` expects."""
    return _columns(_connection().vendor, model, alias)


def instances(row, models: list[type[Model]]) -> list[Model]:
    """One instance of each model from a row that holds their ``columns`` one after another."""
    connection = _connection()
    made, start = [], 0
    for model in models:
        names, converters = _conversions(connection.vendor, model)
        values = list(row[start : start + len(names)])
        for position, expression, field_converters in converters:
            for converter in field_converters:
                values[position] = converter(values[position], expression, connection)
        made.append(model.from_db(connection.alias, names, values))
        start += len(names)
    return made


@cache
def _conversions(vendor: str, model: type[Model]) -> tuple[list[str], list[tuple]]:
    """The model's field names in column order, and per field that needs them, the converters
    the ORM applies to what the database returns (dates, JSON, UUIDs, …)."""
    connection = _connection()
    fields = model._meta.concrete_fields
    converters = []
    for position, field in enumerate(fields):
        expression = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(expression) + expression.get_db_converters(
            connection
        )
        if found:
            converters.append((position, expression, found))
    return [field.attname for field in fields], converters


def _prepared(model: type[Model], values: dict) -> list:
    connection = _connection()
    fields = _fields(model, tuple(values))
    return [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values.values(), strict=True)
    ]


@cache
def _fields(model: type[Model], names: tuple[str, ...]) -> list:
    return [model._meta.get_field(name) for name in names]


@cache
def _insert_sql(vendor: str, model: type[Model], names: tuple[str, ...]) -> str:
    columns = ", ".join(quote(field.column) for field in _fields(model, names))
    values = ", ".join(["%s"] * len(names))
    return f"INSERT INTO {table(model)} ({columns}) VALUES ({values})"  # noqa: S608  # nosec B608 (names from the models; values as parameters)


@cache
def _update_sql(vendor: str, model: type[Model], names: tuple[str, ...]) -> str:
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in _fields(model, names))
    pk = quote(model._meta.pk.column)
    return f"UPDATE {table(model)} SET {assignments} WHERE {pk} = %s"  # noqa: S608  # nosec B608 (names from the models; values as parameters)


def _returning_pk(model: type[Model]) -> str:
    return f" RETURNING {quote(model._meta.pk.column)}"


def save_with_line(
    model: type[Model], pk: int | None, values: dict, *, line: type[Model], line_values: dict
) -> int:
    """Insert (``pk`` None) or update a row of ``model``, and insert a ``line`` (a row of the
    trail that records the change); returns the row's id. On PostgreSQL the two writes are one
    statement, so one round trip; elsewhere two."""
    vendor = _connection().vendor
    if pk is None:
        first = _insert_sql(vendor, model, tuple(values)) + _returning_pk(model)
        first_params = _prepared(model, values)
    else:
        first = _update_sql(vendor, model, tuple(values)) + _returning_pk(model)
        first_params = [*_prepared(model, values), pk]
    second = _insert_sql(vendor, line, tuple(line_values))
    second_params = _prepared(line, line_values)
    with _connection().cursor() as cursor:
        if vendor == "postgresql":
            # Data-modifying statements in WITH run whether or not they are read from.
            cursor.execute(
                f"WITH saved AS ({first}), line AS ({second}) SELECT * FROM saved",  # noqa: S608  # nosec B608 (names from the models; values as parameters)
                [*first_params, *second_params],
            )
            return cursor.fetchone()[0]
        cursor.execute(first, first_params)
        saved = cursor.fetchone()[0]
        cursor.execute(second, second_params)
        return saved
