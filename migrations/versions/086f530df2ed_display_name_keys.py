"""Display name keys: a copy of someone's name is found whatever its accents, case or spacing

Revision ID: 086f530df2ed
Revises: ee82ef8934d3
Create Date: 2026-12-06 19:45:40.497985

"""
import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '086f530df2ed'
down_revision = 'ee82ef8934d3'
branch_labels = None
depends_on = None

participants = sa.table(
    'participants', sa.column('id', sa.Integer), sa.column('display_name', sa.String), sa.column('display_name_key', sa.Text)
)


def _comparable_name(name: str) -> str:
    """models.participants.comparable_name as it is at this revision (kept here so the migration never changes)."""
    decomposed = unicodedata.normalize("NFKD", name)
    without_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = unicodedata.normalize("NFKC", without_accents).casefold()
    return "".join(c for c in folded if c.isalnum())


def upgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('display_name_key', sa.Text(), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_participants_display_name_key'), ['display_name_key'], unique=False)

    # Names already given keep their place (two people may already share one); only new names are compared.
    connection = op.get_bind()
    rows = connection.execute(sa.select(participants.c.id, participants.c.display_name)).all()
    for row_id, name in rows:
        connection.execute(
            participants.update().where(participants.c.id == row_id).values(display_name_key=_comparable_name(name))
        )


def downgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participants_display_name_key'))
        batch_op.drop_column('display_name_key')
