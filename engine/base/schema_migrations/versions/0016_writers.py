"""writers: indexes that serve the inbox's page and course filter (issue 18)

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

GROUP = {"sqlite_where": sa.text("assignee IS NULL"), "postgresql_where": sa.text("assignee IS NULL")}
NAMED = {"sqlite_where": sa.text("assignee IS NOT NULL"), "postgresql_where": sa.text("assignee IS NOT NULL")}


def upgrade() -> None:
    op.drop_index('ix_open_tasks_assignee', table_name='open_tasks')
    op.create_index('ix_open_tasks_assignee', 'open_tasks', ['assignee', 'due_at', 'created_at', 'id'], **NAMED)
    op.create_index('ix_open_tasks_assignee_course', 'open_tasks', ['assignee', 'course_id'], **NAMED)
    op.create_index('ix_open_tasks_group_course', 'open_tasks', ['role', 'scope', 'course_id'], **GROUP)


def downgrade() -> None:
    op.drop_index('ix_open_tasks_group_course', table_name='open_tasks')
    op.drop_index('ix_open_tasks_assignee_course', table_name='open_tasks')
    op.drop_index('ix_open_tasks_assignee', table_name='open_tasks')
    op.create_index('ix_open_tasks_assignee', 'open_tasks', ['assignee'], **NAMED)
