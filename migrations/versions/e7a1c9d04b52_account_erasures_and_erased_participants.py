"""Account erasures: erased participants stay as anonymous tombstones, and each erasure is logged

Revision ID: e7a1c9d04b52
Revises: 7b1f0c9e2d4a
Create Date: 2026-11-26

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e7a1c9d04b52'
down_revision = '7b1f0c9e2d4a'
branch_labels = None
depends_on = None

OLD_CONSENT_RULE = "age_bracket <> '11-14' OR (parental_consent_at IS NOT NULL AND parent_email IS NOT NULL)"
NEW_CONSENT_RULE = (
    "age_bracket <> '11-14'"
    " OR (parental_consent_at IS NOT NULL AND (parent_email IS NOT NULL OR erased_at IS NOT NULL))"
)


def upgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(), nullable=True))
        batch_op.drop_constraint(op.f('ck_participants_under_15_has_parental_consent'), type_='check')
        batch_op.create_check_constraint('under_15_has_parental_consent', NEW_CONSENT_RULE)

    op.create_table('account_erasures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Enum('self_service', 'written_request', 'retention', name='erasure_reason', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('erased_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_account_erasures_participant_id_participants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_erasures')),
    sa.UniqueConstraint('participant_id', name=op.f('uq_account_erasures_participant_id'))
    )
    with op.batch_alter_table('account_erasures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_erasures_erased_at'), ['erased_at'], unique=False)


def downgrade():
    with op.batch_alter_table('account_erasures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_erasures_erased_at'))

    op.drop_table('account_erasures')
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_participants_under_15_has_parental_consent'), type_='check')
        batch_op.create_check_constraint('under_15_has_parental_consent', OLD_CONSENT_RULE)
        batch_op.drop_column('erased_at')
