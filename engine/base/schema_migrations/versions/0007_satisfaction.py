"""satisfaction: questionnaire results, single-use codes and quarterly analyses (§11)

One row per course and quarter whose 11.2 analysis was started (its primary key
keeps two workers from starting the same one twice); how each course's
questionnaire link is open; the sha256 of each unused single-use code.

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa
import engine.base.models

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'quarterly_analyses',
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('quarter', sa.String(length=7), nullable=False),
        sa.Column('instance_id', sa.String(length=36), nullable=False),
        sa.Column('started_at', engine.base.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id']),
        sa.PrimaryKeyConstraint('course_id', 'quarter'),
    )
    op.create_table(
        'questionnaire_access',
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('mode', sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id']),
        sa.PrimaryKeyConstraint('course_id'),
    )
    op.create_table(
        'questionnaire_codes',
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id']),
        sa.PrimaryKeyConstraint('code_hash'),
    )
    op.create_index('ix_questionnaire_codes_course_id', 'questionnaire_codes', ['course_id'])


def downgrade() -> None:
    op.drop_index('ix_questionnaire_codes_course_id', table_name='questionnaire_codes')
    op.drop_table('questionnaire_codes')
    op.drop_table('questionnaire_access')
    op.drop_table('quarterly_analyses')
