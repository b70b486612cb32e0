"""Open Referral harvest (issue 16): conflicts kept for a coordinator to choose, and the areas a service serves

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 23:59:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('harvest_conflicts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('feed', sa.String(length=500), nullable=False),
    sa.Column('service_id', sa.String(length=200), nullable=False),
    sa.Column('entry_id', sa.String(length=64), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('local_value', sa.Text(), nullable=False),
    sa.Column('feed_value', sa.Text(), nullable=False),
    sa.Column('changed_by', sa.String(length=80), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('found_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.String(length=80), nullable=True),
    sa.Column('chosen', sa.String(length=10), nullable=True),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('harvest_conflicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_harvest_conflicts_entry_id'), ['entry_id'], unique=False)

    op.create_table('service_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('service_areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_areas_entry_id'), ['entry_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('service_areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_areas_entry_id'))
    op.drop_table('service_areas')
    with op.batch_alter_table('harvest_conflicts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_harvest_conflicts_entry_id'))
    op.drop_table('harvest_conflicts')
