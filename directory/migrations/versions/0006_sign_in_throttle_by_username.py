"""failed sign-ins counted by the username typed, known or not

The lock-out lived on the account, so only real usernames were ever locked out, and the
"Too many attempts" message told an attacker which usernames exist.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 19:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sign_in_throttle',
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('last_failed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('username')
    )
    with op.batch_alter_table('sign_in_throttle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_throttle_last_failed_at'), ['last_failed_at'], unique=False)
    # Lock-outs under way carry over.
    op.execute("INSERT INTO sign_in_throttle (username, failed, last_failed_at, locked_until) "
               "SELECT username, 0, locked_until, locked_until FROM users WHERE locked_until IS NOT NULL")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('sign_in_throttle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_throttle_last_failed_at'))
    op.drop_table('sign_in_throttle')
