"""language: each deployed definition keeps its process's Russian name (issue 13)

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("definitions") as batch:
        batch.add_column(sa.Column("name_ru", sa.String(300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("definitions") as batch:
        batch.drop_column("name_ru")
