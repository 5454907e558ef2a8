"""recognition: idempotent comments, the feed ordered by event time, trading window and reminder settings

Revision ID: d4e1c0a7b9f2
Revises: a5e980a1e09e
Create Date: 2026-12-01 21:00:00

"""
from alembic import op
import sqlalchemy as sa

import webapp.db  # noqa: F401  (custom column types such as UTCDateTime)


# revision identifiers, used by Alembic.
revision = 'd4e1c0a7b9f2'
down_revision = 'a5e980a1e09e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('recognition_policy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reciprocity_window_days', sa.Integer(), server_default='30', nullable=False))
        batch_op.add_column(sa.Column('allowance_reminder_days', sa.Integer(), server_default='3', nullable=False))
    with op.batch_alter_table('recognition_comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=64), nullable=True))
    op.execute("UPDATE recognition_comment SET idempotency_key = 'legacy-comment-' || id")
    with op.batch_alter_table('recognition_comment', schema=None) as batch_op:
        batch_op.alter_column('idempotency_key', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_recognition_comment_idempotency_key'), ['idempotency_key'])
    with op.batch_alter_table('recognition_feed_item', schema=None) as batch_op:
        batch_op.create_index('ix_recognition_feed_item_state_created_at_id', ['state', 'created_at', 'id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('recognition_feed_item', schema=None) as batch_op:
        batch_op.drop_index('ix_recognition_feed_item_state_created_at_id')
    with op.batch_alter_table('recognition_comment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_recognition_comment_idempotency_key'), type_='unique')
        batch_op.drop_column('idempotency_key')
    with op.batch_alter_table('recognition_policy', schema=None) as batch_op:
        batch_op.drop_column('allowance_reminder_days')
        batch_op.drop_column('reciprocity_window_days')
