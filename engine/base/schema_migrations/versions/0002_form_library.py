"""form library

The form library starts with the forms of the versions already deployed (the
newest copy of each), so the form editor and the modeller see every form an
existing installation uses.

Revision ID: 0002
Revises: 0001
"""
import hashlib
import json

from alembic import op
import sqlalchemy as sa
import engine.base.models


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    library = op.create_table(
        'form_library',
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('saved_at', engine.base.models.UTCDateTime(), nullable=False),
        sa.Column('saved_by', sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint('name'),
    )
    op.bulk_insert(library, list(_deployed_forms().values()))


def _deployed_forms() -> dict[str, dict]:
    """{form name: row} from the deployed versions, the most recently deployed copy of each winning."""
    definitions = sa.table('definitions', sa.column('id', sa.Integer()), sa.column('forms_json', sa.Text()),
                           sa.column('deployed_at', engine.base.models.UTCDateTime()),
                           sa.column('deployed_by', sa.String()))
    rows = op.get_bind().execute(sa.select(definitions).order_by(definitions.c.id))
    forms: dict[str, dict] = {}
    for row in rows:
        for name, schema in json.loads(row.forms_json).items():
            content = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
            forms[name] = {"name": name, "content": content, "sha256": hashlib.sha256(content.encode()).hexdigest(),
                           "saved_at": row.deployed_at, "saved_by": row.deployed_by}
    return forms


def downgrade() -> None:
    op.drop_table('form_library')
