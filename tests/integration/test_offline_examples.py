"""Every example prompt a bundled client offers gets a right answer from the offline model.

The prompts run through the real services (selection, loop, tools, storage) on the seeded
examples: the course API is the bundled demo server and the weather comes from a loopback
stand-in for Open-Meteo. Each prompt has its own expectation: the exact tool calls, and the
facts (figures) the answer must state.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from smarter_tui.services import Services
from smarter_tui.services.sessions import TurnOutcome

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Expect:
    """What one example prompt must lead to."""

    calls: list[tuple[str, dict[str, Any]]]  # (tool, arguments), in order
    facts: list[str]  # substrings the answer states
    absent: list[str] = field(default_factory=list)  # substrings it must not state
    check: Callable[[str], None] | None = None  # a further check of the answer


def _prices(answer: str) -> list[float]:
    return [float(p) for p in re.findall(r"price: (\d+(?:\.\d+)?)", answer)]


def _all_prices_below(limit: float) -> Callable[[str], None]:
    def check(answer: str) -> None:
        assert _prices(answer), answer
        assert all(p < limit for p in _prices(answer)), answer

    return check


def _all_prices_at_most(limit: float) -> Callable[[str], None]:
    def check(answer: str) -> None:
        assert _prices(answer), answer
        assert all(p <= limit for p in _prices(answer)), answer

    return check


GOBSTOPPER = "plugin_everlasting_gobstopper"
EXAMPLES: dict[str, dict[str, Expect]] = {
    "general_assistant": {
        "What is 2**16 + 17?": Expect([("calculator", {"expression": "2**16 + 17"})], ["65553"]),
        "How many days are there between 1972-02-29 and 2024-02-29?": Expect(
            [
                (
                    "date_calculator",
                    {"dates": ["1972-02-29", "2024-02-29"], "operation": "difference", "date_format": "ISO"},
                )
            ],
            ["18,993 days", "52 years"],
        ),
        "Remember that my favourite colour is green": Expect(
            [("create_memory", {"memory": "The User's favourite colour is green"})],
            ["I'll remember that: The User's favourite colour is green."],
        ),
        "What do you know about me?": Expect(
            [("recall_memory", {"query": "User"})], ["The User's favourite colour is green"]
        ),
        "What's the weather like in Lisbon?": Expect(
            [("get_current_weather", {"location": "Lisbon", "unit": "METRIC"})],
            ["Lisbon, Portugal", "21.5 °C", "partly cloudy", "wind 12 km/h"],
        ),
    },
    "shop_assistant": {
        "What flavours does the Everlasting Gobstopper come in?": Expect(
            [(GOBSTOPPER, {"inquiry_type": "flavours"})], ["strawberry", "lemon sherbet", "fizzy cola"]
        ),
        "Do you have any coupon codes for Gobstoppers?": Expect(
            [(GOBSTOPPER, {"inquiry_type": "coupon_codes"})], ["GOBSTOPPER10", "GOLDENTICKET"]
        ),
        "Who is Willy Wonka?": Expect(
            [(GOBSTOPPER, {"inquiry_type": "biographical"})], ["invented by Willy Wonka"]
        ),
        "How much are 12 Gobstoppers at 2.50 each with 10% off?": Expect(
            [("calculator", {"expression": "12 * 2.50 * (100 - 10) / 100"})],
            ["= 27.00"],
            absent=["willy@wonka.example"],  # once answered with the contact list
        ),
    },
    "course_assistant": {
        "Which Python courses cost at most 400?": Expect(
            [("plugin_course_search", {"max_price": 400, "keyword": "Python"})],
            ["PY101", "SEC101", "PY201", "PY210"],
            absent=["PY220", "SQL101"],
            check=_all_prices_at_most(400),
        ),
        "Show me the courses under 200": Expect(
            [("plugin_course_search", {"max_price": 200})],
            ["AI101", "SQL101", "JS101", "PY101"],
            absent=["DO201", "499"],
            check=_all_prices_below(200),
        ),
        "What are the course details of PY101?": Expect(
            [("plugin_course_details", {"course_code": "PY101"})], ["Python for Beginners", "price: 199"]
        ),
        "What do PY101 and SQL101 cost together?": Expect(
            [
                ("plugin_course_details", {"course_code": "PY101"}),
                ("plugin_course_details", {"course_code": "SQL101"}),
                ("calculator", {"expression": "199 + 149"}),
            ],
            ["price: 199", "price: 149", "199 + 149 = 348"],
        ),
    },
}


class _OpenMeteo(BaseHTTPRequestHandler):
    """A stand-in for Open-Meteo's geocoding and forecast endpoints that knows Lisbon."""

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path == "/v1/search":
            known = query.get("name") == ["Lisbon"]
            place = {"name": "Lisbon", "country": "Portugal", "latitude": 38.72, "longitude": -9.14,
                     "timezone": "Europe/Lisbon"}  # fmt: skip
            body: dict[str, Any] = {"results": [place]} if known else {}
        else:
            body = {
                "current": {"time": "2024-06-01T10:00", "temperature_2m": 21.5, "weather_code": 2,
                            "wind_speed_10m": 12.0, "relative_humidity_2m": 60, "precipitation": 0.0},
                "hourly": {"time": ["2024-06-01T10:00"], "temperature_2m": [21.5], "precipitation": [0.0],
                           "wind_speed_10m": [12.0]},
            }  # fmt: skip
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Stay quiet."""


def _serve(server: ThreadingHTTPServer) -> ThreadingHTTPServer:
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """Services on a fresh database with the bundled examples, wired to the two loopback servers."""
    from smarter_tui.config.secrets import SecretStore
    from tests.support.memory_keyring import MemoryKeyring

    spec = importlib.util.spec_from_file_location("course_api", ROOT / "assets" / "data" / "course_api.py")
    assert spec and spec.loader
    course_api = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(course_api)
    courses = _serve(course_api.serve(0))
    weather = _serve(ThreadingHTTPServer(("127.0.0.1", 0), _OpenMeteo))
    base = f"http://127.0.0.1:{weather.server_port}/v1"
    folder = tmp_path_factory.mktemp("examples")
    svc = Services.open(
        folder / "examples.sqlite3",
        secrets=SecretStore(MemoryKeyring()),
        weather_urls=(f"{base}/search", f"{base}/forecast"),
    )
    # The bundled connection points at port 8765; re-point it at this run's demo server.
    connection = svc.catalogue.describe("connection", "course_api")
    connection["spec"]["connection"]["baseUrl"] = f"http://127.0.0.1:{courses.server_port}/api"
    del connection["status"]
    (folder / "api.yaml").write_text(json.dumps(connection))  # JSON is valid YAML
    svc.catalogue.apply_paths([folder / "api.yaml"])
    yield svc
    svc.close()
    for server in (courses, weather):
        server.shutdown()
        server.server_close()


def test_every_bundled_example_prompt_has_an_expectation(services: Services) -> None:
    offered = {c.name: c.examples for c in services.clients() if c.examples}
    assert offered == {client: list(prompts) for client, prompts in EXAMPLES.items()}


@pytest.mark.parametrize("client", list(EXAMPLES))
def test_example_prompts_answered_right_offline(services: Services, client: str) -> None:
    for prompt, expect in EXAMPLES[client].items():  # in order: the recall follows the remember
        outcome: TurnOutcome = asyncio.run(services.sessions.send(prompt, client=client))
        where = f"{client}: {prompt!r} -> {outcome.answer!r}"
        assert outcome.error is None, where
        made = [(c["function_name"], c["function_args"]) for c in outcome.tool_calls]
        assert made == expect.calls, where
        errors = [r.error for r in services.db.sessions.tool_calls(outcome.session_key) if r.error]
        assert errors == [], where
        for fact in expect.facts:
            assert fact in outcome.answer, where
        for wrong in expect.absent:
            assert wrong not in outcome.answer, where
        if expect.check is not None:
            expect.check(outcome.answer)
