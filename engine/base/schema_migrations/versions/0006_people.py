"""people: people's contact details and temporary passwords, course list columns (6.2, 13.1, 13.5), course withdrawal, New course submissions

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa
import engine.base.models


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nmi', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                      server_default=sa.text('false')))
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('planned_year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('last_inspected_at', engine.base.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('cancel_decision', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_at', engine.base.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_reason', sa.Text(), nullable=True))
    op.create_table(
        'course_requests',
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=True),
        sa.Column('requested_by', sa.String(length=100), nullable=False),
        sa.Column('requested_at', engine.base.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'], ),
        sa.PrimaryKeyConstraint('token'),
    )


def downgrade() -> None:
    op.drop_table('course_requests')
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('withdrawn_reason')
        batch_op.drop_column('withdrawn_by')
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('cancel_decision')
        batch_op.drop_column('last_inspected_at')
        batch_op.drop_column('planned_year')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('phone')
        batch_op.drop_column('nmi')
