"""A committee summary also keeps an .xlsx spreadsheet (one sheet per table) beside its PDF and CSV

Revision ID: b7c3d9e2f410
Revises: 540d22e62145
Create Date: 2026-12-06 23:15:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7c3d9e2f410'
down_revision = '540d22e62145'
branch_labels = None
depends_on = None

CONSTRAINT = 'ck_committee_summary_files_summary_file_kind'


def upgrade():
    with op.batch_alter_table('committee_summary_files', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(CONSTRAINT), type_='check')
        batch_op.create_check_constraint(batch_op.f(CONSTRAINT), sa.column('kind').in_(['pdf', 'csv', 'xlsx']))


def downgrade():
    op.execute("DELETE FROM committee_summary_files WHERE kind = 'xlsx'")
    with op.batch_alter_table('committee_summary_files', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(CONSTRAINT), type_='check')
        batch_op.create_check_constraint(batch_op.f(CONSTRAINT), sa.column('kind').in_(['pdf', 'csv']))
