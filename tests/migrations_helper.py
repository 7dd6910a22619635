"""Run the project's migrations back to a point and forward again inside a test, to check a
data migration on rows written with the models of that point."""

from contextlib import contextmanager

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    """Migrate to `targets` ([(app, migration name or None)]); the apps registry of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@contextmanager
def migrated_back_to(targets):
    """The apps of the state at `targets`; the schema is back at the latest state afterwards,
    whatever happens in between."""
    try:
        yield migrate(targets)
    finally:
        migrate(latest())
