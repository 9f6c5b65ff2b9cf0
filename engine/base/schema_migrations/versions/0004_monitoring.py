"""monitoring: the BIPM platform's reports (issue Monitoring, §9)

The course record gains its platform course id and URL; imports, participants, activities,
per-(participant, activity) results and per-activity view figures get their tables.

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa
import engine.base.models

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

UTC = engine.base.models.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table('courses') as batch:
        batch.add_column(sa.Column('platform_course_id', sa.String(length=50), nullable=True))
        batch.add_column(sa.Column('platform_url', sa.String(length=2000), nullable=True))
    op.create_table(
        'monitoring_imports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), sa.ForeignKey('courses.id'), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('filename', sa.String(length=300), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('period_from', sa.Date(), nullable=True),
        sa.Column('period_to', sa.Date(), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('added', sa.Integer(), nullable=False),
        sa.Column('updated', sa.Integer(), nullable=False),
        sa.Column('imported_at', UTC(), nullable=False),
        sa.Column('imported_by', sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('course_id', 'sha256'),
    )
    op.create_index('ix_monitoring_imports_course_id', 'monitoring_imports', ['course_id'])
    op.create_table(
        'monitoring_participants',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), sa.ForeignKey('courses.id'), nullable=False),
        sa.Column('key', sa.String(length=400), nullable=False),
        sa.Column('name', sa.String(length=300), nullable=False),
        sa.Column('email', sa.String(length=300), nullable=True),
        sa.Column('platform_id', sa.String(length=100), nullable=True),
        sa.Column('course_state', sa.String(length=20), nullable=True),
        sa.Column('course_completed_at', UTC(), nullable=True),
        sa.Column('course_import_id', sa.Integer(), sa.ForeignKey('monitoring_imports.id'), nullable=True),
        sa.Column('last_seen_at', UTC(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('course_id', 'key'),
    )
    op.create_index('ix_monitoring_participants_course_id', 'monitoring_participants', ['course_id'])
    op.create_table(
        'monitoring_activities',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), sa.ForeignKey('courses.id'), nullable=False),
        sa.Column('name', sa.String(length=300), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('course_id', 'name'),
    )
    op.create_index('ix_monitoring_activities_course_id', 'monitoring_activities', ['course_id'])
    op.create_table(
        'monitoring_results',
        sa.Column('course_id', sa.Integer(), sa.ForeignKey('courses.id'), nullable=False),
        sa.Column('participant_id', sa.Integer(), sa.ForeignKey('monitoring_participants.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('activity_id', sa.Integer(), sa.ForeignKey('monitoring_activities.id'), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('at', UTC(), nullable=True),
        sa.Column('grade', sa.Float(), nullable=True),
        sa.Column('seconds', sa.Integer(), nullable=True),
        sa.Column('import_id', sa.Integer(), sa.ForeignKey('monitoring_imports.id'), nullable=False),
        sa.Column('period_to', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('participant_id', 'activity_id'),
    )
    op.create_index('ix_monitoring_results_activity_id', 'monitoring_results', ['activity_id'])
    op.create_index('ix_monitoring_results_course', 'monitoring_results', ['course_id', 'activity_id', 'state', 'at'])
    op.create_table(
        'monitoring_figures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('activity_id', sa.Integer(), sa.ForeignKey('monitoring_activities.id'), nullable=False),
        sa.Column('period_from', sa.Date(), nullable=False),
        sa.Column('period_to', sa.Date(), nullable=False),
        sa.Column('views', sa.Integer(), nullable=False),
        sa.Column('participants', sa.Integer(), nullable=False),
        sa.Column('import_id', sa.Integer(), sa.ForeignKey('monitoring_imports.id'), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('activity_id', 'period_from', 'period_to'),
    )
    op.create_index('ix_monitoring_figures_activity_id', 'monitoring_figures', ['activity_id'])


def downgrade() -> None:
    for table in ('monitoring_figures', 'monitoring_results', 'monitoring_activities', 'monitoring_participants',
                  'monitoring_imports'):
        op.drop_table(table)
    with op.batch_alter_table('courses') as batch:
        batch.drop_column('platform_url')
        batch.drop_column('platform_course_id')
