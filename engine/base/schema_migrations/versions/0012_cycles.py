"""cycles: each inspection cycle a bounded instance of its own (issue 18)

No table changes: a cycle is an ordinary instance with ``course_id`` set (already
indexed), the course row's ``instance_id`` names the cycle driving it, and the
link between cycles is recorded in their ``instance_completed`` and
``instance_started`` events.

Revision ID: 0012
Revises: 0011
"""
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
