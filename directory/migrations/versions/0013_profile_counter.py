"""directory_state.profile_counter (issue 18): moved by every write that changes an organisation's public profile,
so the read API knows whether to read the profiles again after a write without reading them

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 03:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('directory_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('profile_counter', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('directory_state', schema=None) as batch_op:
        batch_op.drop_column('profile_counter')
