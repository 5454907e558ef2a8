"""`flask db upgrade` builds, from empty, exactly the schema the models describe; downgrade undoes it."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from tests.conftest import config_for
from webapp import create_app
from webapp.extensions import db


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
