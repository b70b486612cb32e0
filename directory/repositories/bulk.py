"""Many new rows into one table inside the unit of work's transaction: the one bulk insert an import's new
entries, their revisions and the change log go through.

On PostgreSQL the rows go in by COPY on the transaction's own connection: the server parses one stream, where
a statement run for each row (psycopg's pipeline) costs a round of Python work and a message per row, the
largest part of writing 300,000 new entries. Elsewhere (SQLite) the table's own insert runs for many rows.
Either way the rows are the same and are undone with the transaction unless it commits.
"""

from __future__ import annotations

import json
import operator
from typing import Any

from sqlalchemy import ColumnElement, Table, any_, bindparam
from sqlalchemy.orm import Session
from sqlalchemy.types import JSON


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys, a value for every column they name) into `table`. A column
    they leave out takes the database's default (an id from its sequence); one with a default Python gives
    must be given, as COPY would not give it."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert(), rows)
        return
    names = list(rows[0])
    columns = [table.columns[name] for name in names]  # KeyError for a column the table does not have
    left_out = [c.name for c in table.columns if c.name not in rows[0] and c.default is not None]
    if left_out:
        raise ValueError(f"rows for {table.name} leave out {', '.join(left_out)}, which Python would fill in")
    # JSON columns as their text (the server reads it as json/jsonb); None as JSON's null unless the column
    # keeps None as NULL, as SQLAlchemy's insert would.
    json_columns = [(position, column.type.none_as_null) for position, column in enumerate(columns)
                    if isinstance(column.type, JSON)]
    values_of = operator.itemgetter(*names)  # a row's values in column order, in C
    from psycopg import sql  # only with PostgreSQL, whose driver it is

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(name) for name in names))
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        texts: dict[tuple, str] = {}  # lists of text, which repeat from row to row (most are empty), made once
        for row in rows:
            values = list(values_of(row)) if len(names) > 1 else [row[names[0]]]
            for position, keep_null in json_columns:
                values[position] = _json_text(values[position], keep_null, texts)
            copy.write_row(values)


def one_of(session: Session, column, values: list) -> ColumnElement[bool]:
    """`column IN (values)` for a long list: on PostgreSQL `column = ANY(array)`, one parameter, where thousands of
    placeholders are parsed by the driver for every statement."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def _json_text(value: Any, null_as_null: bool, texts: dict[tuple, str]) -> str | None:
    if value is None and null_as_null:
        return None
    if type(value) is list and all(type(item) is str for item in value):
        key = tuple(value)
        text = texts.get(key)
        if text is None:
            text = texts[key] = _JSON.encode(value)
        return text
    return _JSON.encode(value)
