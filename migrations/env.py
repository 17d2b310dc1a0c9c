"""Alembic environment: the URL comes from the service's configuration."""
from logging.config import fileConfig

from alembic import context

from service.config import from_environment
from service.db import make_engine
from service.tables import Base

config = context.config
target_metadata = Base.metadata
# Called from service.db.upgrade the URL is given and logging is the app's own;
# called as `alembic upgrade head` it comes from DATABASE_URL and alembic.ini logs.
url = config.attributes.get("database_url")
if url is None:
    url = from_environment()["DATABASE_URL"]
    if config.config_file_name is not None:
        fileConfig(config.config_file_name)


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True,
                      dialect_opts={"paramstyle": "named"}, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, target_metadata=target_metadata,
                              render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
