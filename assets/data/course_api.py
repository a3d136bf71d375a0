"""A tiny read-only HTTP API over the bundled course catalogue, for the `course_details` ApiPlugin.

    python assets/data/course_api.py [--port 8765]

Serves GET /api/courses/ (all courses) and GET /api/courses/{code}/ (one course, 404 if unknown)
on 127.0.0.1 from catalogue.sqlite3 beside this file. Standard library only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sqlite3
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

DATABASE = Path(__file__).with_name("catalogue.sqlite3")


class CourseApi(BaseHTTPRequestHandler):
    """Answers course requests as JSON."""

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        parts = [unquote(p) for p in urlsplit(self.path).path.strip("/").split("/")]
        connection = sqlite3.connect(f"file:{DATABASE}?mode=ro", uri=True)
        connection.row_factory = sqlite3.Row
        try:
            if parts == ["api", "courses"]:
                rows = connection.execute("SELECT * FROM courses ORDER BY code").fetchall()
                self._send(200, [dict(r) for r in rows])
            elif len(parts) == 3 and parts[:2] == ["api", "courses"]:
                row = connection.execute(
                    "SELECT * FROM courses WHERE code = ?", (parts[2].upper(),)
                ).fetchone()
                if row is None:
                    self._send(404, {"detail": f"no course with code {parts[2]!r}"})
                else:
                    self._send(200, dict(row))
            else:
                self._send(404, {"detail": "not found"})
        finally:
            connection.close()

    def _send(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Stay quiet."""


def serve(port: int) -> ThreadingHTTPServer:
    """Return a server bound to 127.0.0.1:port (port 0 picks a free one)."""
    return ThreadingHTTPServer(("127.0.0.1", port), CourseApi)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    server = serve(parser.parse_args().port)
    print(f"course API on http://127.0.0.1:{server.server_port}/api/courses/ (Ctrl+C stops)")
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
