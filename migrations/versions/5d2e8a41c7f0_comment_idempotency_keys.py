"""Comment idempotency keys: a form or API request sent twice stores one comment

Revision ID: 5d2e8a41c7f0
Revises: c43e19674a6e
Create Date: 2026-11-26

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5d2e8a41c7f0'
down_revision = 'c43e19674a6e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_comments_author_id_idempotency_key'), ['author_id', 'idempotency_key'])


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_comments_author_id_idempotency_key'), type_='unique')
        batch_op.drop_column('idempotency_key')
