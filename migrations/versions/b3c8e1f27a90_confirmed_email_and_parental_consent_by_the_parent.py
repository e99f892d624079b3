"""Confirmed e-mail before a vote counts, and parental consent given by the parent through an e-mailed link

Adds `participants.email_confirmed_at`. Every account that exists before this revision is marked confirmed
(at its creation date): those people signed up when no confirmation was asked, and their votes keep counting.
An under-15's account may now wait for its parent's consent (the parent's e-mail is still required), so the
CHECK `under_15_has_parental_consent` no longer requires `parental_consent_at`; erasures gain two reasons (the
parent refused, no consent in time).

Revision ID: b3c8e1f27a90
Revises: b7c3d9e2f410
Create Date: 2026-12-06

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b3c8e1f27a90'
down_revision = 'b7c3d9e2f410'
branch_labels = None
depends_on = None

OLD_CONSENT_RULE = (
    "age_bracket <> '11-14'"
    " OR (parental_consent_at IS NOT NULL AND (parent_email IS NOT NULL OR erased_at IS NOT NULL))"
)
NEW_CONSENT_RULE = "age_bracket <> '11-14' OR parent_email IS NOT NULL OR erased_at IS NOT NULL"
OLD_REASONS = ('self_service', 'written_request', 'retention')
NEW_REASONS = OLD_REASONS + ('parent_refused', 'no_parental_consent')


def _reasons_rule(reasons):
    return "reason IN (" + ", ".join(f"'{reason}'" for reason in reasons) + ")"


def _allow_reasons(reasons):
    """The reason column is a string with a CHECK constraint (no native enum): the list is replaced."""
    with op.batch_alter_table('account_erasures', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_account_erasures_erasure_reason'), type_='check')
        batch_op.create_check_constraint('erasure_reason', _reasons_rule(reasons))


def upgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', sa.DateTime(), nullable=True))
        batch_op.drop_constraint(op.f('ck_participants_under_15_has_parental_consent'), type_='check')
        batch_op.create_check_constraint('under_15_has_parental_consent', NEW_CONSENT_RULE)
    op.execute("UPDATE participants SET email_confirmed_at = created_at")
    _allow_reasons(NEW_REASONS)


def downgrade():
    """Refused while an under-15 waits for consent or an erasure has a new reason: the older schema has no
    place for them, and inventing a consent is not an option."""
    connection = op.get_bind()
    waiting = connection.scalar(sa.text(
        "SELECT count(*) FROM participants WHERE age_bracket = '11-14' AND parental_consent_at IS NULL"
    ))
    new_reasons = connection.scalar(sa.text(
        "SELECT count(*) FROM account_erasures WHERE reason IN ('parent_refused', 'no_parental_consent')"
    ))
    if waiting or new_reasons:
        raise RuntimeError(
            f"{waiting} under-15 accounts without parental consent and {new_reasons} erasures for want of consent "
            "cannot be kept by the older schema: erase or resolve them first."
        )
    _allow_reasons(OLD_REASONS)
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_participants_under_15_has_parental_consent'), type_='check')
        batch_op.create_check_constraint('under_15_has_parental_consent', OLD_CONSENT_RULE)
        batch_op.drop_column('email_confirmed_at')
