"""password links: invitations and password resets

Revision ID: e1a7c0f3b2d4
Revises: e4b1c9a7d2f0
Create Date: 2026-12-01 21:15:00

"""
from alembic import op
import sqlalchemy as sa

import webapp.db  # noqa: F401  (custom column types such as UTCDateTime)


# revision identifiers, used by Alembic.
revision = 'e1a7c0f3b2d4'
down_revision = 'e4b1c9a7d2f0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('password_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('expires_at', webapp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', webapp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', webapp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('request_key', sa.String(length=64), nullable=True),
    sa.Column('created_at', webapp.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_password_link_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_password_link_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_link_token_hash')),
    sa.UniqueConstraint('user_id', 'request_key', name=op.f('uq_password_link_user_id'))
    )
    with op.batch_alter_table('password_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_link_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('password_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_link_user_id'))
    op.drop_table('password_link')
