"""rotation: idempotency keys on the create forms

Revision ID: e7a1c3d5f9b2
Revises: cb36e06905e7
Create Date: 2026-12-01 21:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import webapp.db  # noqa: F401  (custom column types such as UTCDateTime)


# revision identifiers, used by Alembic.
revision = 'e7a1c3d5f9b2'
down_revision = 'cb36e06905e7'
branch_labels = None
depends_on = None

KEYED = ("rotation_program", "rotation_cohort", "rotation_opening")


def upgrade():
    for table in KEYED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('idempotency_key', sa.String(length=64), nullable=True))
            batch_op.create_unique_constraint(batch_op.f(f'uq_{table}_idempotency_key'), ['idempotency_key'])


def downgrade():
    for table in reversed(KEYED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'uq_{table}_idempotency_key'), type_='unique')
            batch_op.drop_column('idempotency_key')
