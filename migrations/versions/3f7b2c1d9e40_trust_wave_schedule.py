"""trust wave schedule: when the invitation went out and the last reminder's day

Revision ID: 3f7b2c1d9e40
Revises: d4e1c0a7b9f2
Create Date: 2026-12-01 21:00:00

"""
from alembic import op
import sqlalchemy as sa

import webapp.db  # noqa: F401  (custom column types such as UTCDateTime)


# revision identifiers, used by Alembic.
revision = '3f7b2c1d9e40'
down_revision = 'd4e1c0a7b9f2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('trust_wave', schema=None) as batch_op:
        batch_op.add_column(sa.Column('announced_at', webapp.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reminded_on', sa.Date(), nullable=True))
    # Waves created before scheduling were announced when they were created, if they were open then;
    # closed ones need no invitation. Mark both, so the daily job does not invite people twice.
    op.execute("UPDATE trust_wave SET announced_at = created_at WHERE closed_at IS NOT NULL OR opens_on <= CURRENT_DATE")


def downgrade():
    with op.batch_alter_table('trust_wave', schema=None) as batch_op:
        batch_op.drop_column('reminded_on')
        batch_op.drop_column('announced_at')
