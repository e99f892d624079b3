"""Interface language of participants, translations of actions and orientations

Revision ID: c43e19674a6e
Revises: 3cea6a79a787
Create Date: 2026-11-26

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c43e19674a6e'
down_revision = '3cea6a79a787'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translations', sa.JSON(), server_default='{}', nullable=False))

    with op.batch_alter_table('orientations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translations', sa.JSON(), server_default='{}', nullable=False))

    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_column('locale')

    with op.batch_alter_table('orientations', schema=None) as batch_op:
        batch_op.drop_column('translations')

    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_column('translations')
