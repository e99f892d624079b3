"""Committee summaries and their schedule

Revision ID: c3ff909e4aa9
Revises: 74315aa5dc35
Create Date: 2026-11-24

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c3ff909e4aa9'
down_revision = '74315aa5dc35'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('committee_summaries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=True),
    sa.Column('trigger', sa.Enum('on_demand', 'weekly', 'closing', name='summary_trigger', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='summary_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('emailed_at', sa.DateTime(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.CheckConstraint('progress BETWEEN 0 AND 100', name=op.f('ck_committee_summaries_progress_is_a_percentage')),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_committee_summaries_consultation_id_consultations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['participants.id'], name=op.f('fk_committee_summaries_requested_by_id_participants'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_summaries')),
    sa.UniqueConstraint('consultation_id', 'trigger', 'period', name=op.f('uq_committee_summaries_consultation_id_trigger_period'))
    )
    with op.batch_alter_table('committee_summaries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_summaries_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('committee_summary_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('summary_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('pdf', 'csv', name='summary_file_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['summary_id'], ['committee_summaries.id'], name=op.f('fk_committee_summary_files_summary_id_committee_summaries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_summary_files')),
    sa.UniqueConstraint('summary_id', 'kind', name=op.f('uq_committee_summary_files_summary_id_kind'))
    )
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('missing_grades_as_reject', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('weekly_summaries', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('summary_at_closing', sa.Boolean(), server_default=sa.true(), nullable=False))



def downgrade():
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_column('summary_at_closing')
        batch_op.drop_column('weekly_summaries')
        batch_op.drop_column('missing_grades_as_reject')

    op.drop_table('committee_summary_files')
    with op.batch_alter_table('committee_summaries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_committee_summaries_consultation_id'))

    op.drop_table('committee_summaries')
