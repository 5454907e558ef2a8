"""trust anonymity: answer sheets sealed until their wave closes

Revision ID: e4b1c9a7d2f0
Revises: cb36e06905e7
Create Date: 2026-12-01 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e4b1c9a7d2f0'
down_revision = 'cb36e06905e7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('trust_pending_sheet',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['wave_id'], ['trust_wave.id'], name=op.f('fk_trust_pending_sheet_wave_id_trust_wave')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trust_pending_sheet')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('trust_pending_sheet', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trust_pending_sheet_wave_id'), ['wave_id'], unique=False)


def downgrade():
    with op.batch_alter_table('trust_pending_sheet', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trust_pending_sheet_wave_id'))

    op.drop_table('trust_pending_sheet')
