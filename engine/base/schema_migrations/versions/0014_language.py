"""language: refusal codes and Russian names (issue 13; filled in by that work)

Revision ID: 0014
Revises: 0013
"""
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
