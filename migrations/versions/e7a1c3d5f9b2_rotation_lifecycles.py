"""rotation: idempotency keys on the create forms; policy, early close, partial rankings, overrides, second chances

Revision ID: e7a1c3d5f9b2
Revises: 3f7b2c1d9e40
Create Date: 2026-12-01 21:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import webapp.db  # noqa: F401  (custom column types such as UTCDateTime)


# revision identifiers, used by Alembic.
revision = 'e7a1c3d5f9b2'
down_revision = '3f7b2c1d9e40'
branch_labels = None
depends_on = None

KEYED = ("rotation_program", "rotation_cohort", "rotation_opening")


def upgrade():
    for table in KEYED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('idempotency_key', sa.String(length=64), nullable=True))
            batch_op.create_unique_constraint(batch_op.f(f'uq_{table}_idempotency_key'), ['idempotency_key'])
    op.create_table('rotation_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_grace_days', sa.Integer(), nullable=False),
    sa.Column('sign_off_opens_days', sa.Integer(), nullable=False),
    sa.Column('nudge_every_days', sa.Integer(), nullable=False),
    sa.Column('match_page_size', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rotation_policy'))
    )
    with op.batch_alter_table('rotation_cohort', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_early_at', webapp.db.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('rotation_opening', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ranked_at', webapp.db.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('rotation_draft_match', schema=None) as batch_op:
        batch_op.add_column(sa.Column('override_reason', sa.Text(), nullable=True))
    with op.batch_alter_table('rotation_placement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nudged_on', sa.Date(), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_rotation_placement_application_id'), type_='unique')
        batch_op.create_index(batch_op.f('ix_rotation_placement_application_id'), ['application_id'], unique=False)


def downgrade():
    with op.batch_alter_table('rotation_placement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rotation_placement_application_id'))
        batch_op.create_unique_constraint(batch_op.f('uq_rotation_placement_application_id'), ['application_id'])
        batch_op.drop_column('nudged_on')
    with op.batch_alter_table('rotation_draft_match', schema=None) as batch_op:
        batch_op.drop_column('override_reason')
    with op.batch_alter_table('rotation_opening', schema=None) as batch_op:
        batch_op.drop_column('ranked_at')
    with op.batch_alter_table('rotation_cohort', schema=None) as batch_op:
        batch_op.drop_column('closed_early_at')
    op.drop_table('rotation_policy')
    for table in reversed(KEYED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'uq_{table}_idempotency_key'), type_='unique')
            batch_op.drop_column('idempotency_key')
