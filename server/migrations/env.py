"""Alembic environment: runs migrations on the engine that ``db.upgrade`` hands over."""

from alembic import context
from sqlalchemy import create_engine

from server.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Run the migrations in a transaction on the given (or configured) engine."""
    engine = config.attributes.get("engine") or create_engine(
        config.get_main_option("sqlalchemy.url", "")
    )
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        context.run_migrations()


run_migrations_online()
