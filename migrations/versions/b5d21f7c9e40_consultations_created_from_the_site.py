"""Consultations created from the site (blank, imported or copied) are in the moderation log

Revision ID: b5d21f7c9e40
Revises: cefd729fe245
Create Date: 2026-12-06 19:45:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b5d21f7c9e40'
down_revision = 'cefd729fe245'
branch_labels = None
depends_on = None

OLD_ACTIONS = ('approve', 'reject', 'merge', 'hide', 'unhide', 'dismiss_reports', 'block', 'unblock', 'answer',
               'publish_answers', 'paper_votes', 'role_change', 'edit_consultation',
               'change_phase', 'add_item', 'edit_item', 'remove_item', 'move_item', 'decide', 'publish_decisions')
NEW_ACTIONS = OLD_ACTIONS + ('create_consultation',)


def _allow_log_actions(actions):
    """The log's action column is a string with a CHECK constraint (no native enum): the list is replaced."""
    with op.batch_alter_table('moderation_log', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_moderation_log_moderation_action'), type_='check')
        batch_op.create_check_constraint(
            'moderation_action', "action IN (" + ", ".join(f"'{action}'" for action in actions) + ")"
        )


def upgrade():
    _allow_log_actions(NEW_ACTIONS)


def downgrade():
    # Refused by the database while the log holds a consultation's creation: its entries are never deleted.
    _allow_log_actions(OLD_ACTIONS)
