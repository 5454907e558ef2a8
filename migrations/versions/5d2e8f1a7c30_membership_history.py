"""membership history: who was active in which function, day by day (backfilled from the audit log);
an idempotency key on the trust wave create form

Revision ID: 5d2e8f1a7c30
Revises: a2f47e4776b4
Create Date: 2026-12-02 00:10:00.000000

"""
from __future__ import annotations

from datetime import date

from alembic import op
import sqlalchemy as sa

import webapp.db  # noqa: F401  (custom column types such as UTCDateTime)
from webapp import clock


# revision identifiers, used by Alembic.
revision = '5d2e8f1a7c30'
down_revision = "a2f47e4776b4"
branch_labels = None
depends_on = None

membership = sa.table('membership', sa.column('user_id', sa.Integer), sa.column('function_id', sa.Integer),
                      sa.column('started_on', sa.Date), sa.column('ended_on', sa.Date))
users = sa.table('user_account', sa.column('id', sa.Integer), sa.column('function_id', sa.Integer),
                 sa.column('active', sa.Boolean), sa.column('created_at', webapp.db.UTCDateTime(timezone=True)))
audit = sa.table('audit_entry', sa.column('id', sa.Integer), sa.column('object_type', sa.String),
                 sa.column('object_id', sa.String), sa.column('before', sa.JSON), sa.column('after', sa.JSON),
                 sa.column('created_at', webapp.db.UTCDateTime(timezone=True)))

State = tuple[int | None, bool]  # function, active


def upgrade():
    op.create_table('membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('function_id', sa.Integer(), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['function_id'], ['function.id'], name=op.f('fk_membership_function_id_function')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_membership_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership'))
    )
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.create_index('ix_membership_function_id_started_on', ['function_id', 'started_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_user_id'), ['user_id'], unique=False)
    _backfill(op.get_bind())
    with op.batch_alter_table('trust_wave', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_trust_wave_idempotency_key'), ['idempotency_key'])


def downgrade():
    with op.batch_alter_table('trust_wave', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_trust_wave_idempotency_key'), type_='unique')
        batch_op.drop_column('idempotency_key')
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_user_id'))
        batch_op.drop_index('ix_membership_function_id_started_on')
    op.drop_table('membership')


def _backfill(bind) -> None:
    """Each person's stints from the audit log of their changes, ending in their present state.

    A person is in the directory from the day their row was created, in the state the first audit entry
    about them starts from (its before; its after for a creation); each entry's after state holds from its
    day on. A present state that differs from the last logged one changed unlogged: it counts from today,
    so no past period gains or loses anyone.
    """
    logged: dict[str, list[tuple[dict | None, dict | None, date]]] = {}
    for object_id, before, after, at in bind.execute(
            sa.select(audit.c.object_id, audit.c.before, audit.c.after, audit.c.created_at)
            .where(audit.c.object_type == 'User').order_by(audit.c.created_at, audit.c.id)):
        logged.setdefault(object_id, []).append((before, after, clock.local(at).date()))
    rows = []
    for user_id, function_id, active, created_at in bind.execute(
            sa.select(users.c.id, users.c.function_id, users.c.active, users.c.created_at)):
        present, entries = (function_id, bool(active)), logged.get(str(user_id), [])
        logged_states = [(clock.local(created_at).date(), _state(entries[0][0]) if entries else present)]
        logged_states += [(day, _state(after)) for _, after, day in entries]
        timeline = [(day, state) for day, state in logged_states if state is not None]
        if not timeline or timeline[-1][1] != present:
            timeline.append((clock.today(), present))
        rows += _stints(user_id, timeline)
    if rows:
        bind.execute(membership.insert(), rows)


def _state(snapshot: dict | None) -> State | None:
    """(function, active) of an audit snapshot of a person, or None when it does not say both."""
    if not snapshot or 'function_id' not in snapshot or 'active' not in snapshot:
        return None
    return snapshot['function_id'], bool(snapshot['active'])


def _stints(user_id: int, timeline: list[tuple[date, State]]) -> list[dict]:
    """The active stints of a timeline of (from that day, state); a stint ending on its first day is dropped."""
    stints: list[dict] = []
    for day, (function_id, active) in timeline:
        day = max(day, stints[-1]['started_on']) if stints else day  # never before the stint it follows
        if stints and stints[-1]['ended_on'] is None:
            if (stints[-1]['function_id'], True) == (function_id, active):
                continue
            stints[-1]['ended_on'] = day
            if stints[-1]['ended_on'] <= stints[-1]['started_on']:
                stints.pop()
        if active:
            stints.append({'user_id': user_id, 'function_id': function_id, 'started_on': day, 'ended_on': None})
    return stints
