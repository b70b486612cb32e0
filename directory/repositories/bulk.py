"""Many new rows into one table inside the unit of work's transaction: the one bulk insert an import's new
entries, their revisions and the change log go through.

On PostgreSQL the rows go in by COPY on the transaction's own connection: the server parses one stream, where
a statement run for each row (psycopg's pipeline) costs a round of Python work and a message per row, the
largest part of writing 300,000 new entries. Elsewhere (SQLite) the table's own insert runs for many rows.
Either way the rows are the same and are undone with the transaction unless it commits.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Table
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
    as_json = [isinstance(column.type, JSON) for column in columns]
    null_as_null = [as_json[i] and columns[i].type.none_as_null for i in range(len(columns))]
    from psycopg import sql  # only with PostgreSQL, whose driver it is

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(name) for name in names))
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        texts: dict[tuple, str] = {}  # lists of text, which repeat from row to row (most are empty), made once
        for row in rows:
            copy.write_row([_json_text(row[name], keep_null, texts) if json_column else row[name]
                            for name, json_column, keep_null in zip(names, as_json, null_as_null)])


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
