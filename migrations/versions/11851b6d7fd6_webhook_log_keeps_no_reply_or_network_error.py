"""The webhook delivery log keeps no reply body nor network error

Those already kept are replaced by the short reason the worker now writes: a reply's body could hold an
internal secret, a network error the result of a port scan.

Revision ID: 11851b6d7fd6
Revises: 086f530df2ed
Create Date: 2026-12-06 20:02:16

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '11851b6d7fd6'
down_revision = '086f530df2ed'
branch_labels = None
depends_on = None

# As webhooks/services.py writes them (the worker writes in French).
NO_ANSWER = "Pas de réponse : l’adresse n’a pas pu être jointe."


def upgrade():
    op.execute(
        sa.text(
            "UPDATE webhook_deliveries SET last_error = 'Réponse HTTP ' || CAST(last_http_status AS VARCHAR(3)) "
            "WHERE last_error LIKE 'Réponse HTTP % : %' AND last_http_status IS NOT NULL"
        )
    )
    op.execute(
        sa.text("UPDATE webhook_deliveries SET last_error = :reason WHERE last_error LIKE 'Pas de réponse (%'")
        .bindparams(reason=NO_ANSWER)
    )


def downgrade():
    pass  # what was removed is not kept anywhere, on purpose
