"""Participation codes handed out on paper (batches, codes bound to one account per consultation), a consultation
that requires one to vote, votes held by a moderator pending review, and the keyed network an account was created
from (for duplicate signals)

Revision ID: f2c8d41a7b93
Revises: b3c8e1f27a90
Create Date: 2026-12-06 22:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f2c8d41a7b93'
down_revision = 'b3c8e1f27a90'
branch_labels = None
depends_on = None

OLD_ACTIONS = ('approve', 'reject', 'merge', 'hide', 'unhide', 'dismiss_reports', 'block', 'unblock', 'answer',
               'publish_answers', 'paper_votes', 'role_change', 'edit_consultation',
               'change_phase', 'add_item', 'edit_item', 'remove_item', 'move_item', 'decide', 'publish_decisions',
               'create_consultation')
NEW_ACTIONS = OLD_ACTIONS + ('generate_codes', 'revoke_codes', 'hold_votes', 'release_votes')


def _allow_log_actions(actions):
    """The log's action column is a string with a CHECK constraint (no native enum): the list is replaced."""
    with op.batch_alter_table('moderation_log', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_moderation_log_moderation_action'), type_='check')
        batch_op.create_check_constraint(
            'moderation_action', "action IN (" + ", ".join(f"'{action}'" for action in actions) + ")"
        )


def upgrade():
    op.create_table('code_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_code_batches_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['participants.id'], name=op.f('fk_code_batches_created_by_id_participants'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_code_batches'))
    )
    with op.batch_alter_table('code_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_code_batches_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('participation_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('bound_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['code_batches.id'], name=op.f('fk_participation_codes_batch_id_code_batches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_participation_codes_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_participation_codes_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participation_codes')),
    sa.UniqueConstraint('code', name=op.f('uq_participation_codes_code')),
    sa.UniqueConstraint('consultation_id', 'participant_id', name=op.f('uq_participation_codes_consultation_id_participant_id'))
    )
    with op.batch_alter_table('participation_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participation_codes_batch_id'), ['batch_id'], unique=False)

    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('codes_required', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('votes_held_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('registration_network', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_participants_registration_network'), ['registration_network'], unique=False)

    _allow_log_actions(NEW_ACTIONS)


def downgrade():
    # Refused by the database while the log holds an entry of the new kinds: its entries are never deleted.
    _allow_log_actions(OLD_ACTIONS)
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participants_registration_network'))
        batch_op.drop_column('registration_network')
        batch_op.drop_column('votes_held_at')
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_column('codes_required')
    with op.batch_alter_table('participation_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participation_codes_batch_id'))
    op.drop_table('participation_codes')
    with op.batch_alter_table('code_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_code_batches_consultation_id'))
    op.drop_table('code_batches')
