"""A refused proposal keeps the kind of reason it was refused for (a fixed list, beside the moderator's words); the
proposals refused before the list existed are « autre »

Revision ID: 4e8a2c61d0b7
Revises: f2c8d41a7b93
Create Date: 2026-12-07 01:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '4e8a2c61d0b7'
down_revision = 'f2c8d41a7b93'
branch_labels = None
depends_on = None

CATEGORIES = ('out_of_scope', 'already_planned', 'duplicate', 'against_charter', 'not_feasible', 'other')


def upgrade():
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refusal_category', sa.Enum(*CATEGORIES, name='refusal_category', native_enum=False, create_constraint=True, length=20), nullable=True))
    op.execute("UPDATE actions SET refusal_category = 'other' WHERE state = 'rejected'")
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.create_check_constraint('refused_with_category', "state <> 'rejected' OR refusal_category IS NOT NULL")


def downgrade():
    with op.batch_alter_table('actions', schema=None) as batch_op:
        # Both CHECKs name the column: drop them first, or SQLite's table copy fails.
        batch_op.drop_constraint(batch_op.f('ck_actions_refused_with_category'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_actions_refusal_category'), type_='check')
        batch_op.drop_column('refusal_category')
