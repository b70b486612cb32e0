"""the change log (issue 18): entry_changes (counter, entry id) written with every write, and
directory_state.changes_kept_from, the counter from which the log is complete

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 23:50:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('entry_changes',
    sa.Column('counter', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('entry_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('counter', 'entry_id')
    )
    with op.batch_alter_table('directory_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changes_kept_from', sa.Integer(), server_default='0', nullable=False))
    # The log starts empty: a process whose indexes are older than now rebuilds them once.
    op.execute("UPDATE directory_state SET changes_kept_from = change_counter")


def downgrade() -> None:
    with op.batch_alter_table('directory_state', schema=None) as batch_op:
        batch_op.drop_column('changes_kept_from')
    op.drop_table('entry_changes')
