"""A pictogram per orientation, chosen by staff from the built-in set (a string with a CHECK of the set, as every
enum here), shown beside its title to readers

Revision ID: a7d3e9c51b24
Revises: 4e8a2c61d0b7
Create Date: 2026-12-07 02:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a7d3e9c51b24'
down_revision = '4e8a2c61d0b7'
branch_labels = None
depends_on = None

PICTOGRAMS = ('school', 'family', 'sport', 'culture', 'health', 'nature', 'digital', 'citizenship', 'cooperation',
              'inclusion', 'training', 'ideas', 'communication', 'path', 'award')


def upgrade():
    with op.batch_alter_table('orientations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pictogram', sa.String(length=20), nullable=True))
        batch_op.create_check_constraint(
            'orientation_pictogram', "pictogram IN (" + ", ".join(f"'{name}'" for name in PICTOGRAMS) + ")"
        )


def downgrade():
    with op.batch_alter_table('orientations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_orientations_orientation_pictogram'), type_='check')
        batch_op.drop_column('pictogram')
