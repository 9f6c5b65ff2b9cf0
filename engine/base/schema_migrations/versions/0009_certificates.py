"""certificates: certificates, their numbering and revocation (issue §10)

Certificates with their evidence, PDF and status; a counter row per year for gapless numbers;
the batches the sector administrator reviews (certificate_issuing.bpmn); the outbox gains one attachment
per message (the certificate's PDF, 10.3).

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa
import engine.base.models

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

UTC = engine.base.models.UTCDateTime


def upgrade() -> None:
    op.create_table(
        'certificates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=100), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('token_sha256', sa.String(length=64), nullable=False),
        sa.Column('course_id', sa.Integer(), sa.ForeignKey('courses.id'), nullable=False),
        sa.Column('participant_key', sa.String(length=400), nullable=False),
        sa.Column('holder', sa.String(length=300), nullable=False),
        sa.Column('email', sa.String(length=300), nullable=False),
        sa.Column('course_name', sa.String(length=500), nullable=False),
        sa.Column('course_name_ru', sa.String(length=500), nullable=False),
        sa.Column('completed_on', sa.Date(), nullable=True),
        sa.Column('modules', sa.Text(), nullable=False),
        sa.Column('evidence', sa.Text(), nullable=False),
        sa.Column('language', sa.String(length=10), nullable=False),
        sa.Column('pdf', sa.LargeBinary(), nullable=False),
        sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
        sa.Column('issued_at', UTC(), nullable=False),
        sa.Column('issued_by', sa.String(length=100), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('revoked_at', UTC(), nullable=True),
        sa.Column('revoked_by', sa.String(length=100), nullable=True),
        sa.Column('revoke_reason', sa.Text(), nullable=True),
        sa.Column('superseded_by', sa.String(length=100), nullable=True),
        sa.Column('supersedes', sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('number'),
        sa.UniqueConstraint('token_sha256'),
    )
    op.create_index('ix_certificates_course_id', 'certificates', ['course_id'])
    op.create_index('ix_certificates_pdf_sha256', 'certificates', ['pdf_sha256'])
    op.create_table(
        'certificate_counters',
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('year'),
    )
    op.create_table(
        'certificate_batch_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.String(length=36), nullable=False),
        sa.Column('course_id', sa.Integer(), sa.ForeignKey('courses.id'), nullable=False),
        sa.Column('participant_key', sa.String(length=400), nullable=False),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('decided_by', sa.String(length=100), nullable=True),
        sa.Column('decided_at', UTC(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('instance_id', 'participant_key'),
    )
    op.create_index('ix_certificate_batch_members_instance_id', 'certificate_batch_members', ['instance_id'])
    op.create_index('ix_certificate_batch_members_course_id', 'certificate_batch_members', ['course_id'])
    with op.batch_alter_table('mail_outbox') as batch:
        batch.add_column(sa.Column('attachment_name', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('attachment', sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('mail_outbox') as batch:
        batch.drop_column('attachment')
        batch.drop_column('attachment_name')
    op.drop_table('certificate_batch_members')
    op.drop_table('certificate_counters')
    op.drop_index('ix_certificates_pdf_sha256', 'certificates')
    op.drop_index('ix_certificates_course_id', 'certificates')
    op.drop_table('certificates')
