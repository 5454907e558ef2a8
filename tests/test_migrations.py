"""`flask db upgrade` builds, from empty, exactly the schema the models describe; downgrade undoes it."""
from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from tests.conftest import config_for
from webapp import clock, create_app
from webapp.extensions import db
from webapp.people.models import Membership

MEMBERSHIP_REVISION = "5d2e8f1a7c30"


@contextmanager
def empty_database(database_url: str, tmp_path) -> Iterator[str]:
    """A brand-new empty database on the same server as the tests (or a new SQLite file)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    name = f"cg_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_from_empty_matches_the_models_and_downgrade_removes_it(database_url, tmp_path):
    with empty_database(database_url, tmp_path) as url:
        app = create_app(config_for(url))
        with app.app_context():
            flask_migrate.upgrade()
            with db.engine.connect() as conn:
                drift = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
            assert drift == []
            flask_migrate.downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            db.session.remove()
            db.engine.dispose()


def test_the_membership_history_is_backfilled_from_the_audit_log_and_the_present(database_url, tmp_path):
    """Before the history was kept: a person created, moved and deactivated (all audited), one never audited."""
    with empty_database(database_url, tmp_path) as url:
        app = create_app(config_for(url))
        with app.app_context():
            flask_migrate.upgrade(revision=MEMBERSHIP_REVISION + "-1")
            created, moved, left = clock.now() - timedelta(days=300), clock.now() - timedelta(days=200), clock.now()
            with db.engine.begin() as conn:
                conn.execute(text("INSERT INTO function (id, name, code, colour, active, created_at) VALUES "
                                  "(1, 'Finance', 'FIN', '#000000', :t, :at), (2, 'Ops', 'OPS', '#000000', :t, :at)"),
                             {"t": True, "at": created})
                conn.execute(text("INSERT INTO user_account (id, email, name, job_title, function_id, active, "
                                  "session_version, created_at) VALUES (1, 'a@x.example', 'A', '', 2, :f, 1, :at), "
                                  "(2, 'b@x.example', 'B', '', 1, :t, 1, :at)"), {"t": True, "f": False, "at": created})
                entries = [("person.create", None, {"function_id": 1, "active": True}, created),
                           ("person.update", {"function_id": 1, "active": True}, {"function_id": 2, "active": True},
                            moved),
                           ("person.deactivate", {"function_id": 2, "active": True},
                            {"function_id": 2, "active": False}, left)]
                for action, before, after, at in entries:
                    conn.execute(text("INSERT INTO audit_entry (action, object_type, object_id, before, after, "
                                      "created_at) VALUES (:action, 'User', '1', :before, :after, :at)"),
                                 {"action": action, "before": json.dumps(before) if before else None,
                                  "after": json.dumps(after), "at": at})
            flask_migrate.upgrade()
            stints = db.session.execute(select(Membership.user_id, Membership.function_id, Membership.started_on,
                                               Membership.ended_on).order_by(Membership.user_id, Membership.id)).all()
            assert stints == [(1, 1, created.date(), moved.date()), (1, 2, moved.date(), left.date()),
                              (2, 1, created.date(), None)]
            db.session.remove()
            db.engine.dispose()
