"""Consultation managers and the announcement of a change of the vote's dates

Revision ID: ee82ef8934d3
Revises: e7a1c9d04b52
Create Date: 2026-12-06 18:29:28.353456

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'ee82ef8934d3'
down_revision = 'e7a1c9d04b52'
branch_labels = None
depends_on = None

OLD_ACTIONS = ('approve', 'reject', 'merge', 'hide', 'unhide', 'dismiss_reports', 'block', 'unblock', 'answer',
               'publish_answers', 'paper_votes', 'role_change')
NEW_ACTIONS = OLD_ACTIONS + ('edit_consultation',)


def _actions_rule(actions):
    return "action IN (" + ", ".join(f"'{action}'" for action in actions) + ")"


def _allow_log_actions(actions):
    """The log's action column is a string with a CHECK constraint (no native enum): the list is replaced."""
    with op.batch_alter_table('moderation_log', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_moderation_log_moderation_action'), type_='check')
        batch_op.create_check_constraint('moderation_action', _actions_rule(actions))


def upgrade():
    op.create_table('manager_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_manager_assignments_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_manager_assignments_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_manager_assignments')),
    sa.UniqueConstraint('participant_id', 'consultation_id', name=op.f('uq_manager_assignments_participant_id_consultation_id'))
    )
    with op.batch_alter_table('manager_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_manager_assignments_consultation_id'), ['consultation_id'], unique=False)

    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voting_dates_changed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('previous_voting_close_at', sa.DateTime(), nullable=True))

    _allow_log_actions(NEW_ACTIONS)


def downgrade():
    # Refused by the database while the log holds a consultation edit: its entries are never deleted.
    _allow_log_actions(OLD_ACTIONS)

    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_column('previous_voting_close_at')
        batch_op.drop_column('voting_dates_changed_at')

    with op.batch_alter_table('manager_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_manager_assignments_consultation_id'))

    op.drop_table('manager_assignments')
