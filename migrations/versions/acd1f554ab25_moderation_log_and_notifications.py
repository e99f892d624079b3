"""Moderation: assignments, append-only log, notifications, rejection reason

Revision ID: acd1f554ab25
Revises: 523b41acb66a
Create Date: 2026-11-22

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'acd1f554ab25'
down_revision = '523b41acb66a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('moderation_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('moderator_id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.Enum('approve', 'reject', 'merge', 'hide', 'unhide', 'dismiss_reports', 'block', 'unblock', 'answer', 'publish_answers', 'paper_votes', 'role_change', name='moderation_action', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('target_type', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_moderation_log_consultation_id_consultations')),
    sa.ForeignKeyConstraint(['moderator_id'], ['participants.id'], name=op.f('fk_moderation_log_moderator_id_participants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_log'))
    )
    with op.batch_alter_table('moderation_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_log_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_log_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_log_moderator_id'), ['moderator_id'], unique=False)

    op.create_table('moderator_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_moderator_assignments_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_moderator_assignments_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderator_assignments')),
    sa.UniqueConstraint('participant_id', 'consultation_id', name=op.f('uq_moderator_assignments_participant_id_consultation_id'))
    )
    with op.batch_alter_table('moderator_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderator_assignments_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['recipient_id'], ['participants.id'], name=op.f('fk_notifications_recipient_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_recipient_unread', ['recipient_id', 'read_at'], unique=False)

    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rejection_reason', sa.Text(), server_default='', nullable=False))

    # Production database: the moderation log refuses UPDATE and DELETE whoever asks (the app's ORM
    # guard covers SQLite too). TRUNCATE, used only by the test suite, is not a row operation.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION moderation_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'moderation_log is append-only: % refused', TG_OP;
            END;
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER moderation_log_append_only BEFORE UPDATE OR DELETE ON moderation_log "
            "FOR EACH ROW EXECUTE FUNCTION moderation_log_is_append_only()"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER moderation_log_append_only ON moderation_log")
        op.execute("DROP FUNCTION moderation_log_is_append_only()")

    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_column('rejection_reason')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_recipient_unread')

    op.drop_table('notifications')
    with op.batch_alter_table('moderator_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderator_assignments_consultation_id'))

    op.drop_table('moderator_assignments')
    with op.batch_alter_table('moderation_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderation_log_moderator_id'))
        batch_op.drop_index(batch_op.f('ix_moderation_log_created_at'))
        batch_op.drop_index(batch_op.f('ix_moderation_log_consultation_id'))

    op.drop_table('moderation_log')

