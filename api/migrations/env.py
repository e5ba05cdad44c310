"""Alembic environment: one history for SQLite and PostgreSQL (batch mode on SQLite)."""

from __future__ import annotations

from alembic import context

import api.openrosa.models  # noqa: F401  (registers the OpenRosa tables on Base)
from api.db.engine import make_engine
from api.db.models import Base
from api.openrosa import models as _openrosa_models  # noqa: F401  (registers its tables)
from api.settings import Settings, get_settings

config = context.config
url = config.attributes.get("database_url") or get_settings().database_url
engine = make_engine(Settings(database_url=url))

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
