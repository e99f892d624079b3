"""Consultations, orientations, actions, participants, votes and comments

Revision ID: 523b41acb66a
Revises: 
Create Date: 2026-11-22

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '523b41acb66a'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('consultations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('context', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'closed', name='consultation_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('proposals_open_at', sa.DateTime(), nullable=True),
    sa.Column('proposals_close_at', sa.DateTime(), nullable=True),
    sa.Column('voting_open_at', sa.DateTime(), nullable=True),
    sa.Column('voting_close_at', sa.DateTime(), nullable=True),
    sa.Column('supports_enabled', sa.Boolean(), nullable=False),
    sa.Column('vote_limit_per_orientation', sa.Integer(), nullable=True),
    sa.Column('opinion_enabled', sa.Boolean(), nullable=False),
    sa.Column('majority_judgment_enabled', sa.Boolean(), nullable=False),
    sa.Column('allowed_audiences', sa.JSON(), nullable=False),
    sa.Column('minimum_age', sa.Integer(), nullable=False),
    sa.Column('k_anonymity', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('k_anonymity >= 1', name=op.f('ck_consultations_k_anonymity_positive')),
    sa.CheckConstraint('vote_limit_per_orientation IS NULL OR vote_limit_per_orientation > 0', name=op.f('ck_consultations_vote_limit_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultations')),
    sa.UniqueConstraint('slug', name=op.f('uq_consultations_slug'))
    )
    op.create_table('participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('display_name', sa.String(length=80), nullable=False),
    sa.Column('role', sa.Enum('participant', 'moderator', 'committee', 'admin', name='participant_role', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('audience', sa.Enum('parent', 'youth', 'professional', name='participant_audience', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('age_bracket', sa.Enum('11-14', '15-17', '18-25', '26-39', '40-59', '60+', name='participant_age_bracket', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('neighbourhood', sa.String(length=120), nullable=True),
    sa.Column('school', sa.String(length=120), nullable=True),
    sa.Column('parent_email', sa.String(length=254), nullable=True),
    sa.Column('parental_consent_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("age_bracket <> '11-14' OR (parental_consent_at IS NOT NULL AND parent_email IS NOT NULL)", name=op.f('ck_participants_under_15_has_parental_consent')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participants')),
    sa.UniqueConstraint('email', name=op.f('uq_participants_email'))
    )
    op.create_table('orientations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('theme', sa.String(length=300), nullable=True),
    sa.Column('title', sa.String(length=400), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_orientations_consultation_id_consultations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orientations')),
    sa.UniqueConstraint('consultation_id', 'position', name=op.f('uq_orientations_consultation_id_position'))
    )
    op.create_table('actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('orientation_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=400), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('origin', sa.Enum('official', 'participant', name='action_origin', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('state', sa.Enum('pending', 'published', 'rejected', 'merged', 'withdrawn', 'hidden', name='action_state', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['participants.id'], name=op.f('fk_actions_author_id_participants'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['merged_into_id'], ['actions.id'], name=op.f('fk_actions_merged_into_id_actions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['orientation_id'], ['orientations.id'], name=op.f('fk_actions_orientation_id_orientations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actions'))
    )
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actions_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_actions_orientation_state', ['orientation_id', 'state'], unique=False)

    op.create_table('comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('alignment', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('(parent_id IS NULL) = (depth = 0)', name=op.f('ck_comments_root_has_depth_0')),
    sa.CheckConstraint('alignment BETWEEN -1 AND 1', name=op.f('ck_comments_alignment_in_range')),
    sa.CheckConstraint('depth BETWEEN 0 AND 3', name=op.f('ck_comments_depth_in_range')),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_comments_action_id_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['participants.id'], name=op.f('fk_comments_author_id_participants'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parent_id'], ['comments.id'], name=op.f('fk_comments_parent_id_comments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comments'))
    )
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comments_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comments_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comments_parent_id'), ['parent_id'], unique=False)

    op.create_table('votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('support', 'opinion', 'grade', name='vote_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(kind = 'support' AND value = 1) OR (kind = 'opinion' AND value BETWEEN -1 AND 1) OR (kind = 'grade' AND value BETWEEN 0 AND 6)", name=op.f('ck_votes_value_fits_kind')),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_votes_action_id_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_votes_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_votes')),
    sa.UniqueConstraint('participant_id', 'action_id', 'kind', name=op.f('uq_votes_participant_id_action_id_kind'))
    )
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.create_index('ix_votes_action_kind_value', ['action_id', 'kind', 'value'], unique=False)

    op.create_table('comment_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.CheckConstraint('value IN (-1, 1)', name=op.f('ck_comment_ratings_value_is_up_or_down')),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_comment_ratings_comment_id_comments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_comment_ratings_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_ratings')),
    sa.UniqueConstraint('comment_id', 'participant_id', name=op.f('uq_comment_ratings_comment_id_participant_id'))
    )
    with op.batch_alter_table('comment_ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_ratings_comment_id'), ['comment_id'], unique=False)




def downgrade():
    
    with op.batch_alter_table('comment_ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_ratings_comment_id'))

    op.drop_table('comment_ratings')
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_index('ix_votes_action_kind_value')

    op.drop_table('votes')
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comments_parent_id'))
        batch_op.drop_index(batch_op.f('ix_comments_author_id'))
        batch_op.drop_index(batch_op.f('ix_comments_action_id'))

    op.drop_table('comments')
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_index('ix_actions_orientation_state')
        batch_op.drop_index(batch_op.f('ix_actions_author_id'))

    op.drop_table('actions')
    op.drop_table('orientations')
    op.drop_table('participants')
    op.drop_table('consultations')

