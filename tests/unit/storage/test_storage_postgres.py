"""PostgreSQL specifics: connection errors in one line, a dropped connection, types, the password."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from smarter_tui.domain.errors import DatabaseUnavailableError
from smarter_tui.domain.messages import Message, Role
from smarter_tui.storage import Database, open_database
from smarter_tui.storage.database import redact_url
from tests.support import engines
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.engines("postgresql")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens once the socket is closed


def test_wrong_password_is_one_line_without_the_password(
    engine: str, postgres_server: PostgresServer
) -> None:
    url = postgres_server.url(password="not-the-secret-pw")
    with pytest.raises(DatabaseUnavailableError) as caught:
        open_database(url)
    message = str(caught.value)
    assert "refused the credentials of user postgres" in message
    assert "keys set database" in message
    assert "not-the-secret-pw" not in message and "\n" not in message


def test_password_given_apart_from_the_url(engine: str, postgres_server: PostgresServer) -> None:
    db = open_database(postgres_server.url(password=""), password=postgres_server.password)
    try:
        assert db.sessions.count() >= 0
        assert postgres_server.password not in repr(db)
    finally:
        db.close()


def test_unreachable_server_is_one_line(engine: str) -> None:
    url = f"postgresql://someone:hunter2secret@127.0.0.1:{_closed_port()}/team"
    with pytest.raises(DatabaseUnavailableError) as caught:
        open_database(url)
    message = str(caught.value)
    assert message.startswith("cannot reach the PostgreSQL server at 127.0.0.1:")
    assert "/team" in message and "hunter2secret" not in message and "\n" not in message


def test_missing_driver_names_the_extra(engine: str, tmp_path: object) -> None:
    code = (
        "import sys; sys.modules['psycopg'] = None\n"
        "from smarter_tui.storage import open_database\n"
        "from smarter_tui.domain.errors import DatabaseUnavailableError\n"
        "try:\n    open_database('postgresql://u:p@127.0.0.1:1/x')\n"
        "except DatabaseUnavailableError as exc:\n    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == (
        'PostgreSQL needs its driver, which is not installed: pip install "smarter-tui[postgres]"'
    )


def test_redact_url_keeps_everything_but_the_password() -> None:
    assert redact_url("postgresql://ann:s3cret@db.example:6543/team?sslmode=require") == (
        "postgresql://ann@db.example:6543/team?sslmode=require"
    )
    assert redact_url("postgresql://ann@db/team") == "postgresql://ann@db/team"


def test_dropped_connection_is_reported_then_replaced(db: Database, db_path: str) -> None:
    key = db.sessions.create("c").session_key
    db.sessions.append_message(key, Message(Role.USER, "before"))
    # The server ends every other session's connection, as a restart or failover would.
    engines.rows(
        db_path,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    with pytest.raises(DatabaseUnavailableError, match="lost the connection to PostgreSQL at 127.0.0.1"):
        db.sessions.append_message(key, Message(Role.ASSISTANT, "during"))
    # the next call connects afresh; nothing half-written was kept
    db.sessions.append_message(key, Message(Role.ASSISTANT, "after"))
    assert [(m.position, m.content) for m in db.sessions.messages(key)] == [(0, "before"), (1, "after")]


def test_column_types(db: Database, db_path: str) -> None:
    types = dict(
        engines.rows(
            db_path,
            "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema()",
        )
    )
    assert types["sessions.id"] == "bigint" and types["messages.session_id"] == "bigint"
    assert types["plugins.manifest_json"] == "json" and types["messages.tool_calls"] == "json"
    assert types["messages.interrupted"] == "boolean" and types["sessions.sandbox"] == "boolean"
    assert types["tool_calls.duration_ms"] == "double precision"
    assert types["messages.content_tsv"] == "tsvector"
