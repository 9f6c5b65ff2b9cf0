"""countersign: the chair countersigns an appointed member's sheet (issue 13, 7.4-7.5; filled in by that work)

Revision ID: 0013
Revises: 0012
"""
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """No table changes: a countersignature (7.4, 7.5) is a completed task recorded in the event log, and
    ``Engine.sheets`` joins it to the member's sheet it decided on."""


def downgrade() -> None:
    """Nothing to undo (see upgrade)."""
