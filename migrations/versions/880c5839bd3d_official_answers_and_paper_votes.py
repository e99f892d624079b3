"""Official answers and paper votes

Revision ID: 880c5839bd3d
Revises: 028640693ab6
Create Date: 2026-11-22

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '880c5839bd3d'
down_revision = '028640693ab6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('workshops',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_workshops_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entered_by_id'], ['participants.id'], name=op.f('fk_workshops_entered_by_id_participants'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshops'))
    )
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshops_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('paper_vote_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.Enum('parent', 'youth', 'professional', name='paper_vote_audience', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('supports', sa.Integer(), nullable=False),
    sa.CheckConstraint('supports >= 0', name=op.f('ck_paper_vote_counts_supports_not_negative')),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_paper_vote_counts_action_id_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_paper_vote_counts_workshop_id_workshops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_vote_counts')),
    sa.UniqueConstraint('workshop_id', 'action_id', 'audience', name=op.f('uq_paper_vote_counts_workshop_id_action_id_audience'))
    )
    with op.batch_alter_table('paper_vote_counts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_vote_counts_action_id'), ['action_id'], unique=False)

    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer_draft_state', sa.Enum('evaluating', 'accepted', 'not_retained', name='answer_draft_state', native_enum=False, create_constraint=True, length=20), nullable=True))
        batch_op.add_column(sa.Column('answer_draft_text', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('answer_state', sa.Enum('evaluating', 'accepted', 'not_retained', name='answer_state', native_enum=False, create_constraint=True, length=20), nullable=True))
        batch_op.add_column(sa.Column('answer_text', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('answer_published_at', sa.DateTime(), nullable=True))



def downgrade():
    with op.batch_alter_table('actions', schema=None) as batch_op:
        # The enum CHECKs name their columns: drop them first, or SQLite's table copy fails.
        batch_op.drop_constraint(batch_op.f('ck_actions_answer_state'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_actions_answer_draft_state'), type_='check')
        batch_op.drop_column('answer_published_at')
        batch_op.drop_column('answer_text')
        batch_op.drop_column('answer_state')
        batch_op.drop_column('answer_draft_text')
        batch_op.drop_column('answer_draft_state')

    with op.batch_alter_table('paper_vote_counts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_vote_counts_action_id'))

    op.drop_table('paper_vote_counts')
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshops_consultation_id'))

    op.drop_table('workshops')
