"""Shared fixtures: an isolated data directory, an in-memory keyring, services over a temp database.

Storage, services and end-to-end tests run on both engines: every test under ENGINE_DIRS that
uses the `engine` fixture (directly or through `database_target`, `services`, ...) is
parametrized over SQLite and PostgreSQL; elsewhere it is SQLite only. The PostgreSQL server is
started once per test session (tests/support/postgres.py) and each test gets a fresh database
emptied before it (see postgres_url).
"""

from __future__ import annotations

import itertools
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from tests.support.fixtures import fake_openai  # noqa: F401  (re-exported fixture)
from tests.support.memory_keyring import MemoryKeyring
from tests.support.postgres import PostgresServer

ENGINES = ("sqlite", "postgresql")
#: Test folders whose tests run on both engines.
ENGINE_DIRS = ("tests/unit/storage", "tests/unit/services", "tests/integration")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "engines(*names): run only on these engines (sqlite, postgresql)")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize `engine` over both engines for tests under ENGINE_DIRS (or as marked)."""
    if "engine" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("engines")
    path = Path(str(metafunc.definition.path)).as_posix()
    both = any(f"/{folder}/" in path for folder in ENGINE_DIRS)
    engines = list(marker.args) if marker else list(ENGINES if both else ENGINES[:1])
    if engines != ["sqlite"]:  # SQLite alone keeps the test's id (snapshot names depend on it)
        metafunc.parametrize("engine", engines, indirect=True)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """Return the engine this test runs on: "sqlite" or "postgresql"."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """Start one PostgreSQL server for the whole run (the test fails if it cannot start).

    Its directory is a fresh one under the system temp dir, not pytest's (kept private to root,
    which the unprivileged server user could not enter).
    """
    server = PostgresServer(Path(tempfile.mkdtemp(prefix="smarter-tui-pg-")))
    # A run ended by SIGTERM (a CI timeout) still stops its server: no orphaned postgres.
    previous = signal.getsignal(signal.SIGTERM)

    def stop_and_exit(signum: int, frame: object) -> None:
        server.stop()
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop_and_exit)
    try:
        server.start()
    except Exception as exc:
        pytest.fail(f"cannot start the test PostgreSQL server: {exc}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)


_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_shared(postgres_server: PostgresServer) -> str:
    """Return the URL of the run's migrated database (emptied before each test that uses it)."""
    import psycopg

    from smarter_tui.storage.migrations import migrate

    url = postgres_server.create_database("smarter_test")
    with psycopg.connect(url, autocommit=True) as conn:
        migrate(conn)
    return url


@pytest.fixture(scope="session")
def _postgres_emptying_sql(postgres_shared: str) -> str:
    """Return the SQL that empties the run's database: rows deleted, id sequences restarted.

    DELETE rather than TRUNCATE: the tables hold a test's few rows, and TRUNCATE makes new files
    for every table and index (~100 ms a test). Foreign keys are not checked meanwhile
    (session_replication_role), so the order does not matter.
    """
    import psycopg

    with psycopg.connect(postgres_shared, autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename <> 'schema_version' ORDER BY tablename"
            )
        ]
        sequences = [
            r[0]
            for r in conn.execute(
                "SELECT pg_get_serial_sequence(quote_ident(table_name), 'id') "
                "FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND column_name = 'id'"
            )
            if r[0]
        ]
    return " ".join(
        [
            "SET session_replication_role = replica;",
            *(f"DELETE FROM {table};" for table in tables),
            "SET session_replication_role = DEFAULT;",
            *(f"ALTER SEQUENCE {sequence} RESTART;" for sequence in sequences),
        ]
    )


@pytest.fixture
def postgres_url(postgres_shared: str, _postgres_emptying_sql: str) -> str:
    """Return the URL of a migrated PostgreSQL database holding no rows, for this test.

    Cheaper than a database per test: earlier tests' connections are ended, then every table
    but schema_version is emptied (ids restart at 1).
    """
    import psycopg

    with psycopg.connect(postgres_shared, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        conn.execute(_postgres_emptying_sql)  # type: ignore[arg-type]
    return postgres_shared


@pytest.fixture
def postgres_empty_url(postgres_server: PostgresServer) -> str:
    """Return the URL of a fresh, empty schema (nothing migrated) for this test."""
    import psycopg

    schema = f"empty_{next(_numbers)}"
    with psycopg.connect(postgres_server.url(), autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return f"{postgres_server.url()}?options=-csearch_path%3D{schema}"


@pytest.fixture
def database_target(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Path | str:
    """Return where this test's database lives: a SQLite file path or a PostgreSQL URL."""
    if engine == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return tmp_path / "test.sqlite3"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point SMARTER_TUI_HOME at a temp dir and clear provider keys from the environment."""
    home = tmp_path / "home"
    monkeypatch.setenv("SMARTER_TUI_HOME", str(home))
    for variable in ("OPENAI_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY", "SMARTER_TUI_KEYRING"):
        monkeypatch.delenv(variable, raising=False)
    return home


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Install an in-memory keyring backend for the test."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def services(database_target: Path | str, memory_keyring: MemoryKeyring):  # type: ignore[no-untyped-def]
    """Services over a fresh database (of the test's engine), with the bundled examples applied."""
    from smarter_tui.config.secrets import SecretStore
    from smarter_tui.services import Services

    svc = Services.open(database_target, secrets=SecretStore(memory_keyring))
    yield svc
    svc.close()
