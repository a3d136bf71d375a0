"""API plugins never leave their endpoint or origin, and their timeout is a deadline (issue 11 item 9)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from smarter_tui.domain.errors import ToolError
from smarter_tui.plugins.api import ApiPluginTool
from tests.unit.plugins.conftest import LoopbackServer, Recorded, Reply
from tests.unit.plugins.test_plugin_api import api_connection, api_manifest, echo, secrets

TWO = [
    {"name": "id", "type": "string", "required": True},
    {"name": "sub", "type": "string", "required": True},
]


@pytest.fixture
def elsewhere() -> Iterator[LoopbackServer]:
    """A second server: another origin (another port)."""
    server = LoopbackServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.mark.parametrize("bad", [".", "..", ""])
async def test_dot_segments_cannot_leave_the_endpoint(http_server: LoopbackServer, bad: str) -> None:
    http_server.route("*", echo)
    tool = ApiPluginTool(
        api_manifest(endpoint="/api/items/{id}/{sub}/", parameters=TWO),
        api_connection(http_server.url),
        secrets({}),
    )
    with pytest.raises(ToolError, match="cannot be"):
        await tool.run({"id": bad, "sub": ".."})
    with pytest.raises(ToolError, match="cannot be"):
        await tool.run({"id": "7", "sub": bad})
    assert http_server.requests == []
    await tool.run({"id": "../..", "sub": "a/b"})  # slashes are encoded: still one segment each
    assert http_server.requests[-1].path == "/api/items/..%2F../a%2Fb/"


async def test_redirects_to_another_origin_are_not_followed(
    http_server: LoopbackServer, elsewhere: LoopbackServer
) -> None:
    elsewhere.route("*", echo)
    http_server.route("*", Reply(302, b"", {"Location": f"{elsewhere.url}/steal"}))
    tool = ApiPluginTool(
        api_manifest(endpoint="/items/", method="POST", headers=[{"name": "X-Custom", "value": "private"}]),
        api_connection(http_server.url, auth="token", api_key="k"),
        secrets({"k": "s3cret-token"}),
    )
    with pytest.raises(ToolError, match="redirected to another origin"):
        await tool.run({})
    assert elsewhere.requests == []


async def test_redirects_within_the_origin_are_followed_without_resending_a_post_body(
    http_server: LoopbackServer,
) -> None:
    def route(request: Recorded) -> Reply:
        if request.path == "/items/":
            return Reply(303, b"", {"Location": "/items/done/?page=2"})
        return echo(request)

    http_server.route("*", route)
    tool = ApiPluginTool(
        api_manifest(endpoint="/items/", method="POST", body={"secret": "payload"}),
        api_connection(http_server.url),
        secrets({}),
    )
    result = await tool.run({})
    assert '"method": "GET"' in result and '"path": "/items/done/"' in result
    first, second = http_server.requests
    assert first.method == "POST" and second.method == "GET" and second.body == b""
    assert second.query == {"page": ["2"]}


async def test_timeout_is_a_deadline_for_a_slow_drip(http_server: LoopbackServer) -> None:
    def drip() -> Iterator[bytes]:
        for _ in range(30):
            time.sleep(0.2)
            yield b"x"

    http_server.route("*", Reply(200, drip(), {"Content-Type": "text/plain"}, length=30))
    tool = ApiPluginTool(
        api_manifest(endpoint="/slow/"), api_connection(http_server.url, timeout=1), secrets({})
    )
    with pytest.raises(ToolError, match="timed out after 1 s"):
        await tool.run({})
