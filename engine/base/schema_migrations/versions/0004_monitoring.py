"""monitoring: the BIPM platform's reports (issue Monitoring, §9; filled in by that work)

Revision ID: 0004
Revises: 0003
"""
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
