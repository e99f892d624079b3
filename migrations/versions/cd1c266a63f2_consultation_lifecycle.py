"""Consultation lifecycle: a publication date, the steps "decisions published" and "archived", the settings
for comments and for figures during the vote, easy-to-read texts, and the log's lifecycle and structure entries

Revision ID: cd1c266a63f2
Revises: 11851b6d7fd6
Create Date: 2026-12-06 19:28:52.431291

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'cd1c266a63f2'
down_revision = '11851b6d7fd6'
branch_labels = None
depends_on = None

OLD_STATUSES = ('draft', 'published', 'closed')
NEW_STATUSES = OLD_STATUSES + ('decisions_published', 'archived')

OLD_ACTIONS = ('approve', 'reject', 'merge', 'hide', 'unhide', 'dismiss_reports', 'block', 'unblock', 'answer',
               'publish_answers', 'paper_votes', 'role_change', 'edit_consultation')
NEW_ACTIONS = OLD_ACTIONS + ('change_phase', 'add_item', 'edit_item', 'remove_item', 'move_item')


def _one_of(column, values):
    return f"{column} IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def _allow(statuses, actions):
    """Both columns are strings with a CHECK constraint (no native enum): their lists are replaced."""
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_consultations_consultation_status'), type_='check')
        batch_op.create_check_constraint('consultation_status', _one_of('status', statuses))
    with op.batch_alter_table('moderation_log', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_moderation_log_moderation_action'), type_='check')
        batch_op.create_check_constraint('moderation_action', _one_of('action', actions))


def upgrade():
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('easy_read', sa.Text(), server_default='', nullable=False))

    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('comments_enabled', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('figures_during_vote', sa.Boolean(), server_default=sa.true(), nullable=False))

    with op.batch_alter_table('orientations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('easy_read', sa.Text(), server_default='', nullable=False))

    # Consultations already public were published no later than they were created or their first phase opened,
    # so that the rule "no phase before publication" holds for them too. Drafts keep no date: published by hand.
    consultations = sa.table(
        'consultations',
        sa.column('status', sa.String), sa.column('published_at', sa.DateTime), sa.column('created_at', sa.DateTime),
        sa.column('proposals_open_at', sa.DateTime), sa.column('voting_open_at', sa.DateTime),
    )
    earliest = sa.case(
        (consultations.c.proposals_open_at < consultations.c.created_at, consultations.c.proposals_open_at),
        else_=consultations.c.created_at,
    )
    op.execute(
        consultations.update().where(consultations.c.status != 'draft').values(
            published_at=sa.case(
                (consultations.c.voting_open_at < earliest, consultations.c.voting_open_at), else_=earliest
            )
        )
    )

    _allow(NEW_STATUSES, NEW_ACTIONS)


def downgrade():
    # Refused by the database while a consultation is in a new step or the log holds a new kind of entry: the
    # log's entries are never deleted.
    _allow(OLD_STATUSES, OLD_ACTIONS)

    with op.batch_alter_table('orientations', schema=None) as batch_op:
        batch_op.drop_column('easy_read')

    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_column('figures_during_vote')
        batch_op.drop_column('comments_enabled')
        batch_op.drop_column('published_at')

    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_column('easy_read')
