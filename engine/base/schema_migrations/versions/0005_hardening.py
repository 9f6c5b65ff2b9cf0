"""hardening: sessions, login throttling and signed checkpoints (issue Hardening; filled in by that work)

Revision ID: 0005
Revises: 0004
"""
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
