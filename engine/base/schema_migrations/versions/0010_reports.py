"""reports: the annual report to TC 4 and course-independent documents (issue §11.3/§9.3; filled in by that work)

Revision ID: 0010
Revises: 0009
"""
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
