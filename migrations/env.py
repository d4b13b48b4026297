"""Alembic environment for sprinttui.

Runs on the connection the program hands over (config.attributes["connection"]),
so migrating happens inside the caller's locked transaction. Run standalone
(``alembic -c alembic.ini …``) it opens ``sqlalchemy.url`` itself.
"""

from alembic import context

from sprinttui.store.models import metadata

config = context.config


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    from sprinttui.store.engine import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url"), foreign_keys=False, pool=False)
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("sprinttui migrations run online only")
run_migrations_online()
