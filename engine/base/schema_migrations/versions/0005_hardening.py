"""hardening: sessions, login throttling and signed checkpoints (issue Hardening; filled in by that work)

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('session_generation', sa.Integer(), nullable=False, server_default='0'))
    op.create_table(
        'login_throttle',
        sa.Column('key', sa.String(length=200), primary_key=True),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('window_start', sa.DateTime(), nullable=False),
        sa.Column('blocked_until', sa.DateTime(), nullable=True),
    )
    op.create_table(
        'checkpoints',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.Column('key_id', sa.String(length=64), nullable=False),
        sa.Column('body_json', sa.Text(), nullable=False),
        sa.Column('signature', sa.String(length=200), nullable=False),
        sa.Column('made_by', sa.String(length=100), nullable=True),
    )


def downgrade() -> None:
    op.drop_table('checkpoints')
    op.drop_table('login_throttle')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('session_generation')
