"""Storage layer: the only peewee importer; stores hand out domain types only.

Importing this package opens nothing: `open_database(path)` binds the tables at runtime.
"""

from smarter_tui.storage import _driver  # noqa: F401  (first: peewee without psycopg)
from smarter_tui.storage.catalogue import CatalogueStore
from smarter_tui.storage.database import Database, open_database
from smarter_tui.storage.memories import MemoryStore
from smarter_tui.storage.migrations import LATEST_VERSION, migrate
from smarter_tui.storage.sessions import SessionStore

__all__ = [
    "LATEST_VERSION",
    "CatalogueStore",
    "Database",
    "MemoryStore",
    "SessionStore",
    "migrate",
    "open_database",
]
