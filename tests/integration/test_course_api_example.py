"""The bundled course assistant's ApiPlugin against the bundled demo course API on loopback."""

from __future__ import annotations

import importlib.util
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from smarter_tui.services import Services

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def course_api_port() -> Iterator[int]:
    spec = importlib.util.spec_from_file_location("course_api", ROOT / "assets" / "data" / "course_api.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    server = module.serve(0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port
    server.shutdown()
    server.server_close()


async def test_course_details_plugin_reads_the_demo_api(
    services: Services, course_api_port: int, tmp_path: Path
) -> None:
    # The bundled connection points at port 8765; re-point it at this test's free port.
    connection = services.catalogue.describe("connection", "course_api")
    connection["spec"]["connection"]["baseUrl"] = f"http://127.0.0.1:{course_api_port}/api"
    del connection["status"]
    path = tmp_path / "api.yaml"
    path.write_text(json.dumps(connection))  # JSON is valid YAML
    services.catalogue.apply_paths([path])

    outcome = await services.sessions.send("Show the course details for PY101", client="course_assistant")
    (record,) = [
        r for r in services.db.sessions.tool_calls(outcome.session_key) if r.source == "course_details"
    ]
    assert record.error is None and json.loads(record.result)["title"] == "Python for Beginners"
    assert "Python for Beginners" in outcome.answer

    result = await services.inspector.try_it("course_details", "course_assistant", {"course_code": "ZZ999"})
    assert result.error is not None and "404" in result.error
