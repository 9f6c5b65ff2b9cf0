"""reports: the annual report to TC 4 and course-independent documents (issue §11.3/§9.3)

annual_reports: the report process started for each year (once); documents: files that belong to no course (the annual report's PDFs and XLSX), with their sha256;
course_status_changes: each status a course took and when (for the report's created/agreed/published/
updated/cancelled lists, 6.2, 7, 8.2, 13.3/13.4, 13.5). (Attachments ride on the outbox row: 0009.)

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa
import engine.base.models

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('year', sa.Integer(), nullable=True),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('language', sa.String(length=5), nullable=True),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('comments', sa.Text(), nullable=True),
        sa.Column('created_at', engine.base.models.UTCDateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind', 'year', 'filename'),
    )
    op.create_table(
        'annual_reports',
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.String(length=36), nullable=False),
        sa.Column('started_at', engine.base.models.UTCDateTime(), nullable=False),
        sa.Column('started_by', sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint('year'),
        sa.UniqueConstraint('instance_id'),
    )
    op.create_table(
        'course_status_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=30), nullable=False),
        sa.Column('previous', sa.String(length=30), nullable=True),
        sa.Column('at', engine.base.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_course_status_changes_at', 'course_status_changes', ['at'])


def downgrade() -> None:
    op.drop_index('ix_course_status_changes_at', table_name='course_status_changes')
    op.drop_table('course_status_changes')
    op.drop_table('annual_reports')
    op.drop_table('documents')
