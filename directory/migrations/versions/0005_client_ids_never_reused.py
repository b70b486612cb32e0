"""client record numbers are never reused (SQLite AUTOINCREMENT)

Without AUTOINCREMENT, SQLite gives a new row the largest id plus one, so erasing the newest
client record handed its number to the next one, and the access log (which keeps the number
after erasure) showed the erased client's history as the new client's. PostgreSQL's sequences
never go back, so only SQLite changes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 18:30:00
"""
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("clients", recreate="always", table_kwargs={"sqlite_autoincrement": True}):
        pass
    # Numbers already given to records erased before this migration are used up too.
    op.execute("DELETE FROM sqlite_sequence WHERE name = 'clients'")
    op.execute("INSERT INTO sqlite_sequence (name, seq) SELECT 'clients', MAX(used) FROM ("
               "SELECT COALESCE(MAX(id), 0) AS used FROM clients "
               "UNION ALL SELECT COALESCE(MAX(client_id), 0) FROM access_log)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("clients", recreate="always", table_kwargs={"sqlite_autoincrement": False}):
        pass
