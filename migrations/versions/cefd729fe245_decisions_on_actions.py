"""Decisions on actions, their publication, and who wants them by e-mail

Revision ID: cefd729fe245
Revises: cd1c266a63f2
Create Date: 2026-12-06 19:27:13.998656

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'cefd729fe245'
down_revision = 'cd1c266a63f2'
branch_labels = None
depends_on = None

OLD_ACTIONS = ('approve', 'reject', 'merge', 'hide', 'unhide', 'dismiss_reports', 'block', 'unblock', 'answer',
               'publish_answers', 'paper_votes', 'role_change', 'edit_consultation',
               'change_phase', 'add_item', 'edit_item', 'remove_item', 'move_item')
NEW_ACTIONS = OLD_ACTIONS + ('decide', 'publish_decisions')
OLD_EVENTS = ('proposal.published', 'action.answered', 'summary.ready', 'ping')
NEW_EVENTS = OLD_EVENTS + ('decision.published',)


def _one_of(column, values):
    return f"{column} IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def _allow(table, column, constraint, values):
    """These columns are strings with a CHECK constraint (no native enum): the list is replaced."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(f'ck_{table}_{constraint}'), type_='check')
        batch_op.create_check_constraint(constraint, _one_of(column, values))


def upgrade():
    op.create_table('decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('verdict', sa.Enum('retained', 'retained_amended', 'not_retained', 'under_way', name='decision_verdict', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('progress', sa.Enum('planned', 'in_progress', 'done', 'abandoned', name='decision_progress', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('progress_note', sa.Text(), server_default='', nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_decisions_action_id_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['participants.id'], name=op.f('fk_decisions_updated_by_id_participants'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decisions')),
    sa.UniqueConstraint('action_id', name=op.f('uq_decisions_action_id'))
    )
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision_emails', sa.Boolean(), server_default=sa.false(), nullable=False))

    _allow('moderation_log', 'action', 'moderation_action', NEW_ACTIONS)
    _allow('webhook_deliveries', 'event', 'webhook_event', NEW_EVENTS)


def downgrade():
    # Refused by the database while the log holds a decision or an outbox holds its event: they are never deleted.
    _allow('webhook_deliveries', 'event', 'webhook_event', OLD_EVENTS)
    _allow('moderation_log', 'action', 'moderation_action', OLD_ACTIONS)

    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_column('decision_emails')

    op.drop_table('decisions')
