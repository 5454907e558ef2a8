"""trust anonymity: answer sheets sealed until their wave closes; audience headcount kept at close

Revision ID: e4b1c9a7d2f0
Revises: e7a1c3d5f9b2
Create Date: 2026-12-01 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e4b1c9a7d2f0'
down_revision = 'e7a1c3d5f9b2'
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

    op.create_table('trust_wave_audience',
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('function_id', sa.Integer(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['function_id'], ['function.id'], name=op.f('fk_trust_wave_audience_function_id_function')),
    sa.ForeignKeyConstraint(['wave_id'], ['trust_wave.id'], name=op.f('fk_trust_wave_audience_wave_id_trust_wave')),
    sa.PrimaryKeyConstraint('wave_id', 'function_id', name=op.f('pk_trust_wave_audience'))
    )
    # Waves closed before this revision: the best record left is today's headcount; it is kept from now on.
    op.execute(
        "INSERT INTO trust_wave_audience (wave_id, function_id, people) "
        "SELECT s.wave_id, s.function_id, "
        "(SELECT count(*) FROM user_account u WHERE u.function_id = s.function_id AND u.active) "
        "FROM trust_wave_function s JOIN trust_wave w ON w.id = s.wave_id "
        "WHERE s.role = 'audience' AND w.closed_at IS NOT NULL"
    )


def downgrade():
    op.drop_table('trust_wave_audience')
    with op.batch_alter_table('trust_pending_sheet', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trust_pending_sheet_wave_id'))

    op.drop_table('trust_pending_sheet')
