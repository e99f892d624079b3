"""The age bracket fits the audience, checked by the database: a youth is 11 to 25, a parent or a professional 18 or
more. Accounts written before every way of making one applied the rule are brought within it first: a « parent »
or « professional » under 18 becomes a youth (the age decides, as for parental consent and the under-15s'
pseudonyms), and a youth of 26 or more is put in the 18–25 bracket (the audience they chose is kept)

Revision ID: c4e7a2d9f15b
Revises: 3b030b75b8c2
Create Date: 2026-12-07 14:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4e7a2d9f15b'
down_revision = '3b030b75b8c2'
branch_labels = None
depends_on = None

AGE_FITS_AUDIENCE = (
    "(audience = 'youth' AND age_bracket IN ('11-14', '15-17', '18-25'))"
    " OR (audience = 'parent' AND age_bracket IN ('18-25', '26-39', '40-59', '60+'))"
    " OR (audience = 'professional' AND age_bracket IN ('18-25', '26-39', '40-59', '60+'))"
)


def upgrade():
    op.execute(
        "UPDATE participants SET audience = 'youth'"
        " WHERE audience IN ('parent', 'professional') AND age_bracket IN ('11-14', '15-17')"
    )
    op.execute(
        "UPDATE participants SET age_bracket = '18-25'"
        " WHERE audience = 'youth' AND age_bracket IN ('26-39', '40-59', '60+')"
    )
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.create_check_constraint('age_bracket_fits_audience', AGE_FITS_AUDIENCE)


def downgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_participants_age_bracket_fits_audience'), type_='check')
