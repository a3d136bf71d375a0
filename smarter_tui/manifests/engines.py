"""The one table of `dbEngine` spellings and the engine each means (no pydantic: used at run time)."""

from __future__ import annotations

#: Accepted spellings of `dbEngine` (compared lower-cased) and the engine each one means.
DB_ENGINES: dict[str, str] = {
    "django.db.backends.sqlite3": "sqlite",
    "django.db.backends.postgresql": "postgresql",
    "django.db.backends.postgresql_psycopg2": "postgresql",
    "django.db.backends.mysql": "mysql",
    "sqlite3": "sqlite",
    "sqlite": "sqlite",
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "psycopg": "postgresql",
    "psycopg2": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
}


def engine_of(db_engine: str | None) -> str | None:
    """Return "sqlite", "postgresql" or "mysql" for a `dbEngine` value, or None when unknown."""
    if db_engine is None:
        return None
    return DB_ENGINES.get(db_engine.strip().lower())
