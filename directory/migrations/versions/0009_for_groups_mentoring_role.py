"""entries: for_groups (who a service is only for) and mentoring_role (peer mentoring: receive, become, both)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 20:50:00.000000
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy import Text

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('for_groups', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('mentoring_role', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.drop_column('mentoring_role')
        batch_op.drop_column('for_groups')
