"""Each action's root comments in order (action, date, id), for the first page of its threads: read from the index
rather than sorted from all of them

Revision ID: 3b030b75b8c2
Revises: a7d3e9c51b24
Create Date: 2026-12-07 08:16:03.488478

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3b030b75b8c2'
down_revision = 'a7d3e9c51b24'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index(
            'ix_comments_action_roots', ['action_id', 'created_at', 'id'], unique=False,
            postgresql_where=sa.text('parent_id IS NULL'), sqlite_where=sa.text('parent_id IS NULL'),
        )


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_action_roots')
