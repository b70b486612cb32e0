"""feedback, verification requests, duplicate decisions, unmet needs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:25:01.065747
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('unmet_needs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('district', sa.String(length=8), nullable=True),
    sa.Column('stage', sa.String(length=20), nullable=True),
    sa.Column('barriers', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('recorded_on', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.String(length=80), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('unmet_needs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unmet_needs_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_unmet_needs_district'), ['district'], unique=False)
        batch_op.create_index(batch_op.f('ix_unmet_needs_recorded_on'), ['recorded_on'], unique=False)

    op.create_table('duplicate_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('first_id', sa.String(length=64), nullable=False),
    sa.Column('second_id', sa.String(length=64), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('decided_by', sa.String(length=80), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['first_id'], ['entries.id'], ),
    sa.ForeignKeyConstraint(['second_id'], ['entries.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('first_id', 'second_id', name='uq_duplicate_pair')
    )
    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.String(length=64), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('comment', sa.String(length=500), nullable=True),
    sa.Column('given_on', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.String(length=80), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('hidden_by', sa.String(length=80), nullable=True),
    sa.Column('hidden_reason', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_entry_id'), ['entry_id'], unique=False)

    op.create_table('verification_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.String(length=64), nullable=False),
    sa.Column('requested_by', sa.String(length=80), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('verification_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verification_requests_entry_id'), ['entry_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('verification_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verification_requests_entry_id'))

    op.drop_table('verification_requests')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_entry_id'))

    op.drop_table('feedback')
    op.drop_table('duplicate_decisions')
    with op.batch_alter_table('unmet_needs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unmet_needs_recorded_on'))
        batch_op.drop_index(batch_op.f('ix_unmet_needs_district'))
        batch_op.drop_index(batch_op.f('ix_unmet_needs_category'))

    op.drop_table('unmet_needs')
