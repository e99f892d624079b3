"""Reports, hidden comments, blocked participants

Revision ID: 028640693ab6
Revises: acd1f554ab25
Create Date: 2026-11-22

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '028640693ab6'
down_revision = 'acd1f554ab25'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.Column('action_id', sa.Integer(), nullable=True),
    sa.Column('reported_participant_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Enum('spam', 'offensive', 'off_topic', 'personal_data', 'other', name='report_reason', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('(CASE WHEN comment_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN action_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN reported_participant_id IS NULL THEN 0 ELSE 1 END) = 1', name=op.f('ck_reports_exactly_one_target')),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_reports_action_id_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_reports_comment_id_comments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_reports_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reported_participant_id'], ['participants.id'], name=op.f('fk_reports_reported_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['participants.id'], name=op.f('fk_reports_reporter_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    sa.UniqueConstraint('reporter_id', 'action_id', name=op.f('uq_reports_reporter_id_action_id')),
    sa.UniqueConstraint('reporter_id', 'comment_id', name=op.f('uq_reports_reporter_id_comment_id')),
    sa.UniqueConstraint('reporter_id', 'reported_participant_id', name=op.f('uq_reports_reporter_id_reported_participant_id'))
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index('ix_reports_consultation_open', ['consultation_id', 'resolved_at'], unique=False)

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hide_after_reports', sa.Integer(), server_default='3', nullable=False))

    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('blocked_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('blocked_reason', sa.Text(), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_column('blocked_reason')
        batch_op.drop_column('blocked_at')

    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_column('hide_after_reports')

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_column('hidden_at')

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('ix_reports_consultation_open')

    op.drop_table('reports')
