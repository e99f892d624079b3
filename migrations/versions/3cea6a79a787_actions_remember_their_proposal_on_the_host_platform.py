"""Actions remember their proposal on the host platform

Revision ID: 3cea6a79a787
Revises: 14fa1fcba781
Create Date: 2026-11-26

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3cea6a79a787'
down_revision = '14fa1fcba781'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('platform_reference', sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_column('platform_reference')
