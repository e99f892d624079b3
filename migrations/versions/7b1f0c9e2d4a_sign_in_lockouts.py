"""Sign-in lockouts

Revision ID: 7b1f0c9e2d4a
Revises: 5d2e8a41c7f0
Create Date: 2026-11-26

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7b1f0c9e2d4a'
down_revision = '5d2e8a41c7f0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_in_lockouts',
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_sign_in_lockouts_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('participant_id', name=op.f('pk_sign_in_lockouts'))
    )


def downgrade():
    op.drop_table('sign_in_lockouts')
