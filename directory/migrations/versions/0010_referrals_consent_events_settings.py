"""referrals (issue 17): a consent per referral, the referral, its status events, partnership settings (the
no-answer time), and where the client's referrals stood in a review

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 21:02:08.466491
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy import Text

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('partnership_settings',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('updated_by', sa.String(length=80), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('referral_consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('share_name', sa.Boolean(), nullable=False),
    sa.Column('share_phone', sa.Boolean(), nullable=False),
    sa.Column('given_on', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.String(length=80), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.Column('withdrawn_by', sa.String(length=80), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('referral_consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_consents_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_consents_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('consent_id', sa.Integer(), nullable=True),
    sa.Column('plan_action_id', sa.Integer(), nullable=True),
    sa.Column('from_organisation_id', sa.Integer(), nullable=False),
    sa.Column('referred_by', sa.String(length=80), nullable=False),
    sa.Column('to_organisation_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.String(length=64), nullable=True),
    sa.Column('category', sa.String(length=40), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('contact_preference', sa.String(length=30), nullable=True),
    sa.Column('availability', sa.String(length=300), nullable=True),
    sa.Column('client_name', sa.String(length=200), nullable=True),
    sa.Column('client_phone', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decline_reason', sa.String(length=30), nullable=True),
    sa.Column('expected_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.String(length=30), nullable=True),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], ),
    sa.ForeignKeyConstraint(['consent_id'], ['referral_consents.id'], ),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], ),
    sa.ForeignKeyConstraint(['from_organisation_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['plan_action_id'], ['plan_actions.id'], ),
    sa.ForeignKeyConstraint(['to_organisation_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('consent_id')
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referrals_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_from_organisation_id'), ['from_organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_plan_action_id'), ['plan_action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_sent_at'), ['sent_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_to_organisation_id'), ['to_organisation_id'], unique=False)

    op.create_table('referral_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by', sa.String(length=80), nullable=False),
    sa.Column('on_behalf', sa.Boolean(), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('decline_reason', sa.String(length=30), nullable=True),
    sa.Column('outcome', sa.String(length=30), nullable=True),
    sa.Column('expected_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('referral_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_events_referral_id'), ['referral_id'], unique=False)

    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('referral_outcomes', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False, server_default='[]'))



def downgrade() -> None:
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_column('referral_outcomes')

    with op.batch_alter_table('referral_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_events_referral_id'))

    op.drop_table('referral_events')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referrals_to_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_referrals_status'))
        batch_op.drop_index(batch_op.f('ix_referrals_sent_at'))
        batch_op.drop_index(batch_op.f('ix_referrals_plan_action_id'))
        batch_op.drop_index(batch_op.f('ix_referrals_from_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_referrals_entry_id'))
        batch_op.drop_index(batch_op.f('ix_referrals_client_id'))

    op.drop_table('referrals')
    with op.batch_alter_table('referral_consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_consents_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_referral_consents_client_id'))

    op.drop_table('referral_consents')
    op.drop_table('partnership_settings')
