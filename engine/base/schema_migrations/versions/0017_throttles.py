"""throttles: the annual report's drafts — how many times the year's report was assembled for review (11.3:
a draft sent back for redraft is assembled again).

Revision ID: 0017
Revises: 0016
"""
from alembic import op
import sqlalchemy as sa

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('annual_reports') as batch:
        batch.add_column(sa.Column('drafts', sa.Integer(), nullable=False, server_default='1'))


def downgrade() -> None:
    with op.batch_alter_table('annual_reports') as batch:
        batch.drop_column('drafts')
