"""mail: the outbox, mail preferences, task notices given, task due dates, the scan locks, and for the §12
announcement the NMI directory and the invitations sent (issue Mail)

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
import engine.base.models

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = engine.base.models.UTCDateTime
    op.create_table(
        'mail_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('recipient', sa.String(length=100), nullable=True),
        sa.Column('to_name', sa.String(length=200), nullable=False),
        sa.Column('to_address', sa.String(length=320), nullable=False),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('subject', sa.String(length=500), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('html', sa.Text(), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('task_id', sa.String(length=36), nullable=True),
        sa.Column('course_id', sa.Integer(), nullable=True),
        sa.Column('digest_id', sa.Integer(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', utc(), nullable=False),
        sa.Column('lease_until', utc(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('created_at', utc(), nullable=False),
        sa.Column('sent_at', utc(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('message_id'),
    )
    op.create_index('ix_mail_outbox_due', 'mail_outbox', ['state', 'next_attempt_at'])
    op.create_table(
        'mail_preferences',
        sa.Column('login', sa.String(length=100), nullable=False),
        sa.Column('frequency', sa.String(length=12), nullable=False),
        sa.Column('updated_at', utc(), nullable=False),
        sa.PrimaryKeyConstraint('login'),
    )
    op.create_table(
        'mail_task_notices',
        sa.Column('task_id', sa.String(length=36), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('given_at', utc(), nullable=False),
        sa.PrimaryKeyConstraint('task_id', 'kind'),
    )
    op.create_table(
        'mail_task_dues',
        sa.Column('task_id', sa.String(length=36), nullable=False),
        sa.Column('due_at', utc(), nullable=False),
        sa.PrimaryKeyConstraint('task_id'),
    )
    jobs = op.create_table(
        'mail_jobs',
        sa.Column('name', sa.String(length=50), nullable=False),
        sa.Column('last_run_at', utc(), nullable=True),
        sa.PrimaryKeyConstraint('name'),
    )
    op.bulk_insert(jobs, [{'name': 'notices', 'last_run_at': None}])
    op.create_table(
        'nmis',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('country', sa.String(length=100), nullable=False),
        sa.Column('name', sa.String(length=300), nullable=False),
        sa.Column('email', sa.String(length=320), nullable=False),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('updated_at', utc(), nullable=False),
        sa.Column('updated_by', sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    op.create_table(
        'invitations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('nmi_name', sa.String(length=300), nullable=False),
        sa.Column('country', sa.String(length=100), nullable=False),
        sa.Column('email', sa.String(length=320), nullable=False),
        sa.Column('message', sa.Integer(), nullable=False),
        sa.Column('sent_by', sa.String(length=100), nullable=False),
        sa.Column('sent_at', utc(), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id']),
        sa.ForeignKeyConstraint(['message'], ['mail_outbox.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_invitations_course_id'), 'invitations', ['course_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_invitations_course_id'), table_name='invitations')
    op.drop_table('invitations')
    op.drop_table('nmis')
    op.drop_table('mail_jobs')
    op.drop_table('mail_task_dues')
    op.drop_table('mail_task_notices')
    op.drop_table('mail_preferences')
    op.drop_index('ix_mail_outbox_due', table_name='mail_outbox')
    op.drop_table('mail_outbox')
