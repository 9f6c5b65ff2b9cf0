"""workspace: claims, views and preferences of the role workspaces (issue Workspaces; filled in by that work)

Revision ID: 0011
Revises: 0010
"""
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
