"""Reference population per IRIS for a consultation: people per age bracket and the neighbourhood each IRIS
belongs to, loaded by staff from INSEE's table

Revision ID: e511ea24c48f
Revises: 3b699a88f050
Create Date: 2026-12-06 20:31:34.345854

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e511ea24c48f'
down_revision = '3b699a88f050'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('population_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('iris', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('commune', sa.String(length=200), server_default='', nullable=False),
    sa.Column('census_year', sa.Integer(), nullable=False),
    sa.Column('people_by_age_bracket', sa.JSON(), nullable=False),
    sa.Column('neighbourhood', sa.String(length=120), nullable=True),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_population_areas_consultation_id_consultations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_population_areas')),
    sa.UniqueConstraint('consultation_id', 'iris', name=op.f('uq_population_areas_consultation_id_iris'))
    )
    with op.batch_alter_table('population_areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_population_areas_consultation_id'), ['consultation_id'], unique=False)



def downgrade():
    with op.batch_alter_table('population_areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_population_areas_consultation_id'))

    op.drop_table('population_areas')
