"""ApiPluginTool against a real loopback HTTP server."""

from __future__ import annotations

import base64
import json
import tracemalloc
from typing import Any

import pytest

from smarter_tui.domain.errors import ToolError
from smarter_tui.manifests.specs import (
    ApiConnectionSpec,
    ApiPluginSpec,
    api_connection_spec_of,
    plugin_spec_of,
)
from smarter_tui.plugins.api import MAX_RESPONSE_BYTES, TRUNCATION_NOTE, ApiPluginTool

from .conftest import LoopbackServer, Recorded, Reply

SECRET = "s3cr3t-token-value"


def api_manifest(**api: Any) -> ApiPluginSpec:
    """Return the typed spec of an ApiPlugin manifest dict."""
    data = {"endpoint": "/courses/{course_id}/", "method": "GET", "parameters": [], **api}
    spec = plugin_spec_of(
        {
            "apiVersion": "smarter.sh/v1",
            "kind": "ApiPlugin",
            "metadata": {"name": "course_api", "pluginClass": "api", "description": "Courses API"},
            "spec": {"connection": "my_api", "selector": {"directive": "always"}, "apiData": data},
        }
    )
    assert isinstance(spec, ApiPluginSpec)
    return spec


def api_connection(base_url: str, auth: str = "none", api_key: str | None = None,
                   timeout: float = 5) -> ApiConnectionSpec:  # fmt: skip
    """Return the typed spec of an ApiConnection manifest dict."""
    return api_connection_spec_of(
        {
            "apiVersion": "smarter.sh/v1",
            "kind": "ApiConnection",
            "metadata": {"name": "my_api"},
            "spec": {
                "connection": {
                    "baseUrl": base_url,
                    "authMethod": auth,
                    "apiKey": api_key,
                    "timeout": timeout,
                }
            },
        }
    )


PARAMS = [
    {"name": "course_id", "type": "string", "required": True},
    {"name": "verbose", "type": "boolean", "required": False},
    {"name": "page", "type": "integer", "required": False, "default": 1},
]


def secrets(values: dict[str, str]) -> Any:
    """Return a resolve_secret callback over a dict."""
    return values.get


def echo(request: Recorded) -> Reply:
    """Answer with what was received."""
    return Reply.json(
        {
            "method": request.method,
            "path": request.path,
            "query": request.query,
            "body": request.json() if request.body else None,
        }
    )


async def call(tool: ApiPluginTool, **arguments: Any) -> Any:
    """Run the tool and parse its JSON result."""
    return json.loads(await tool.run(arguments))


async def test_get_path_param_encoded_and_query(http_server: LoopbackServer) -> None:
    http_server.route("*", echo)
    tool = ApiPluginTool(
        api_manifest(
            parameters=PARAMS,
            urlParams=[{"key": "format", "value": "json"}],
            headers=[{"name": "X-Client", "value": "smarter"}],
        ),
        api_connection(http_server.url + "/v1/"),
        secrets({}),
    )
    assert tool.spec.parameters["required"] == ["course_id"]
    result = await call(tool, course_id="a/b c", verbose=True)
    assert result["method"] == "GET"
    assert result["query"] == {"format": ["json"], "verbose": ["true"], "page": ["1"]}
    request = http_server.requests[-1]
    assert request.path == "/v1/courses/a%2Fb%20c/"
    assert request.headers["x-client"] == "smarter"
    assert "authorization" not in request.headers


async def test_post_json_body_merged(http_server: LoopbackServer) -> None:
    http_server.route("*", echo)
    tool = ApiPluginTool(
        api_manifest(
            endpoint="/enrol",
            method="POST",
            body={"source": "chat", "page": 0},
            parameters=PARAMS[1:] + [{"name": "student", "type": "object", "required": True}],
        ),
        api_connection(http_server.url),
        secrets({}),
    )
    result = await call(tool, student={"name": "Ada"}, verbose="false")
    assert result["method"] == "POST"
    assert result["path"] == "/enrol/"
    assert result["body"] == {"source": "chat", "page": 1, "verbose": False,
                              "student": {"name": "Ada"}}  # fmt: skip
    assert result["query"] == {}
    assert http_server.requests[-1].headers["content-type"] == "application/json"


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
async def test_other_methods(http_server: LoopbackServer, method: str) -> None:
    http_server.route("*", echo)
    tool = ApiPluginTool(
        api_manifest(method=method, parameters=PARAMS), api_connection(http_server.url), secrets({})
    )
    result = await call(tool, course_id="7", page=3)
    assert result["method"] == method
    if method == "DELETE":
        assert result["query"] == {"page": ["3"]} and result["body"] is None
    else:
        assert result["body"] == {"page": 3} and result["query"] == {}


async def test_bearer_token(http_server: LoopbackServer) -> None:
    http_server.route("*", Reply.json({"ok": True}))
    tool = ApiPluginTool(
        api_manifest(endpoint="/me"),
        api_connection(http_server.url, "token", "my_api_key"),
        secrets({"my_api_key": SECRET}),
    )
    assert await call(tool) == {"ok": True}
    assert http_server.requests[-1].headers["authorization"] == f"Bearer {SECRET}"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ada:lovelace", base64.b64encode(b"ada:lovelace").decode()),
        ("YWRhOmxvdmVsYWNl", "YWRhOmxvdmVsYWNl"),
    ],
)
async def test_basic_auth(http_server: LoopbackServer, value: str, expected: str) -> None:
    http_server.route("*", Reply.json({"ok": True}))
    tool = ApiPluginTool(
        api_manifest(endpoint="/me"),
        api_connection(http_server.url, "basic", "creds"),
        secrets({"creds": value}),
    )
    await tool.run({})
    assert http_server.requests[-1].headers["authorization"] == f"Basic {expected}"


async def test_missing_secret_names_it(http_server: LoopbackServer) -> None:
    tool = ApiPluginTool(
        api_manifest(endpoint="/me"),
        api_connection(http_server.url, "token", "my_api_key"),
        secrets({}),
    )
    with pytest.raises(ToolError, match=r"'my_api_key' is not set.*smarter-tui keys set my_api_key"):
        await tool.run({})
    assert http_server.requests == []


@pytest.mark.parametrize(("status", "reason"), [(404, "Not Found"), (500, "Internal Server Error")])
async def test_http_errors(http_server: LoopbackServer, status: int, reason: str) -> None:
    http_server.route("*", Reply(status, f"boom {SECRET} details".encode()))
    tool = ApiPluginTool(
        api_manifest(endpoint="/x"),
        api_connection(http_server.url, "token", "k"),
        secrets({"k": SECRET}),
    )
    with pytest.raises(ToolError) as caught:
        await tool.run({})
    message = str(caught.value)
    assert message.startswith(f"HTTP {status} {reason}: boom")
    assert SECRET not in message


async def test_timeout(http_server: LoopbackServer) -> None:
    http_server.route("*", Reply(200, b"{}", delay=1.5))
    tool = ApiPluginTool(
        api_manifest(endpoint="/slow"),
        api_connection(http_server.url, "token", "k", timeout=0.3),
        secrets({"k": SECRET}),
    )
    with pytest.raises(ToolError, match=r"timed out after 0.3 s") as caught:
        await tool.run({})
    assert SECRET not in str(caught.value)


async def test_connection_refused(closed_port_url: str) -> None:
    tool = ApiPluginTool(
        api_manifest(endpoint="/x"),
        api_connection(closed_port_url, "token", "k"),
        secrets({"k": SECRET}),
    )
    with pytest.raises(ToolError, match="failed") as caught:
        await tool.run({})
    assert SECRET not in str(caught.value)


async def test_large_body_truncated(http_server: LoopbackServer) -> None:
    chunk = b"x" * 65536
    total = 5 * 1024 * 1024
    http_server.route(
        "*",
        Reply(
            200, (chunk for _ in range(total // len(chunk))), {"Content-Type": "text/plain"}, length=total
        ),  # fmt: skip
    )
    tool = ApiPluginTool(api_manifest(endpoint="/big"), api_connection(http_server.url), secrets({}))
    tracemalloc.start()
    try:
        result = await tool.run({})
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.endswith(TRUNCATION_NOTE)
    assert len(result) == MAX_RESPONSE_BYTES + 1 + len(TRUNCATION_NOTE)
    assert peak < 4 * 1024 * 1024  # the 5 MiB body was never held in memory


async def test_non_json_text(http_server: LoopbackServer) -> None:
    http_server.route("*", Reply(200, b"plain words, not json", {"Content-Type": "text/plain"}))
    tool = ApiPluginTool(api_manifest(endpoint="/t"), api_connection(http_server.url), secrets({}))
    assert await tool.run({}) == "plain words, not json"


async def test_list_truncated_to_limit(http_server: LoopbackServer) -> None:
    http_server.route("*", Reply.json(list(range(50))))
    tool = ApiPluginTool(
        api_manifest(endpoint="/list", limit=5), api_connection(http_server.url), secrets({})
    )
    assert await call(tool) == [0, 1, 2, 3, 4]


async def test_bad_base_url_and_bad_argument(http_server: LoopbackServer) -> None:
    tool = ApiPluginTool(api_manifest(parameters=PARAMS), api_connection("ftp://x"), secrets({}))
    with pytest.raises(ToolError, match="http or https"):
        await tool.run({"course_id": "1"})
    good = ApiPluginTool(api_manifest(parameters=PARAMS), api_connection(http_server.url), secrets({}))
    with pytest.raises(ToolError, match="'page' must be of type integer"):
        await good.run({"course_id": "1", "page": "two"})
    with pytest.raises(ToolError, match="missing required argument 'course_id'"):
        await good.run({})


async def test_endpoint_with_fixed_query(http_server: LoopbackServer) -> None:
    http_server.route("*", echo)
    tool = ApiPluginTool(
        api_manifest(endpoint="search?kind=all", parameters=[{"name": "q", "type": "string"}]),
        api_connection(http_server.url),
        secrets({}),
    )
    result = await call(tool, q="a&b=c")
    assert result["path"] == "/search/"
    assert result["query"] == {"kind": ["all"], "q": ["a&b=c"]}


async def test_missing_connection() -> None:
    tool = ApiPluginTool(api_manifest(), None, secrets({}))
    with pytest.raises(ToolError, match="my_api"):
        await tool.run({"course_id": "1"})
