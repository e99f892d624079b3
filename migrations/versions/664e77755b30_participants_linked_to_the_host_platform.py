"""Participants linked to the host platform

Revision ID: 664e77755b30
Revises: c3ff909e4aa9
Create Date: 2026-11-24

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '664e77755b30'
down_revision = 'c3ff909e4aa9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('platform_uid', sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_participants_platform_uid'), ['platform_uid'])



def downgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_participants_platform_uid'), type_='unique')
        batch_op.drop_column('platform_uid')

