"""API plugins: one HTTP request to an ApiConnection's endpoint per call (SPEC §2.5)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import re
import urllib.parse
from collections.abc import Mapping
from typing import Any

from smarter_tui.domain.errors import ToolError
from smarter_tui.manifests.specs import ApiConnectionSpec, ApiPluginSpec
from smarter_tui.plugins._common import (
    SecretResolver,
    coerce_arguments,
    missing_secret,
    parameters_schema,
    plugin_spec,
    to_json,
)

#: Response bodies are read up to this many bytes, then cut with TRUNCATION_NOTE.
MAX_RESPONSE_BYTES = 1024 * 1024
TRUNCATION_NOTE = "[truncated at 1 MiB]"
DEFAULT_TIMEOUT = 30.0
MAX_REDIRECTS = 5
DEFAULT_LIMIT = 100
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_PATH_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_ERROR_BODY_CHARS = 200


def _pairs(items: tuple[tuple[str, Any], ...]) -> list[tuple[str, str]]:
    """Return (key, value) pairs with the values as text (a header's 5 or true is sent as "5", "true")."""
    return [(key, _text(value)) for key, value in items]


def _text(value: Any) -> str:
    """Return a query-string form of a value (booleans lowercase, structures as JSON)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def basic_credentials(value: str) -> str:
    """Return the token for `Authorization: Basic`: 'user:pass' is base64-encoded, else as given."""
    if ":" not in value:
        return value
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return base64.b64encode(value.encode("utf-8")).decode("ascii")
    return value


class ApiPluginTool:
    """An `ApiPlugin`: calls `baseUrl + endpoint` with the model's arguments."""

    def __init__(
        self,
        spec: ApiPluginSpec,
        connection: ApiConnectionSpec | None,
        resolve_secret: SecretResolver,
    ) -> None:
        """Build the tool from an ApiPlugin's typed spec and its ApiConnection's."""
        self.name = spec.name
        endpoint = spec.endpoint or "/"
        if not endpoint.startswith("/"):
            endpoint = "/" + endpoint
        path, _, fixed_query = endpoint.partition("?")
        # httpx replaces a URL's query with `params`: a query written in the endpoint is kept
        # by moving it to the fixed parameters
        self.endpoint = path if path.endswith("/") else path + "/"
        self.method = spec.method.upper()
        self.url_params = urllib.parse.parse_qsl(fixed_query, keep_blank_values=True)
        self.url_params += _pairs(spec.url_params)
        self.headers = _pairs(spec.headers)
        self.body = spec.body
        self.parameters = spec.parameters
        self.limit = spec.limit or DEFAULT_LIMIT
        self.connection_name = spec.connection_name
        self.connection = connection
        self.resolve_secret = resolve_secret
        self.timeout = float(connection.timeout if connection and connection.timeout else DEFAULT_TIMEOUT)
        self.spec = plugin_spec(spec, parameters_schema(self.parameters), f"Call the {self.name} API.")

    # -- request building ------------------------------------------------------------------

    def _base_url(self) -> str:
        if self.connection is None:
            raise ToolError(
                f"plugin {self.name!r} has no usable connection {self.connection_name!r}; "
                "apply an ApiConnection with that name"
            )
        base = self.connection.base_url
        parsed = urllib.parse.urlsplit(base)
        if parsed.scheme.lower() not in ("http", "https") or not parsed.netloc:
            raise ToolError(f"the API base URL must be an http or https URL, got {base!r}")
        return base.rstrip("/")

    def _auth_headers(self) -> dict[str, str]:
        if self.connection is None:
            return {}
        method = self.connection.auth_method.lower()
        if method == "none":
            return {}
        secret_name = self.connection.api_key
        if not secret_name:
            raise ToolError(
                f"connection {self.connection_name!r} uses {method} auth but names no apiKey secret"
            )
        value = self.resolve_secret(str(secret_name))
        if not value:
            raise missing_secret(str(secret_name), "API key")
        if method == "token":
            return {"Authorization": f"Bearer {value}"}
        if method == "basic":
            return {"Authorization": f"Basic {basic_credentials(value)}"}
        raise ToolError(f"unknown authMethod {method!r} (expected none, basic or token)")

    def build_request(self, arguments: Mapping[str, Any] | None) -> dict[str, Any]:
        """Return the keyword arguments of the HTTP request (method, url, params, headers, json).

        Raises ToolError on bad arguments, a bad base URL or a missing secret.
        """
        values = coerce_arguments(self.parameters, arguments)
        path_names = _PATH_PARAM.findall(self.endpoint)

        def fill(match: re.Match[str]) -> str:
            value = values.get(match.group(1))
            if value is None:
                raise ToolError(f"missing value for path parameter '{match.group(1)}'")
            text = _text(value)
            if text in ("", ".", ".."):
                # '.' and '..' are path steps, not names: /items/{id}/ would become another URL.
                raise ToolError(f"path parameter '{match.group(1)}' cannot be {text!r}")
            return urllib.parse.quote(text, safe="")

        url = self._base_url() + _PATH_PARAM.sub(fill, self.endpoint)
        rest = {k: v for k, v in values.items() if k not in path_names and v is not None}
        params = list(self.url_params)
        body: Any = None
        if self.method in _BODY_METHODS:
            if isinstance(self.body, Mapping) or self.body is None:
                body = {**(self.body or {}), **rest}
            else:  # a list body cannot take named arguments: they go to the query
                body = self.body
                params += [(k, _text(v)) for k, v in rest.items()]
        else:
            params += [(k, _text(v)) for k, v in rest.items()]
        headers = dict(self.headers)
        headers.update(self._auth_headers())
        request: dict[str, Any] = {
            "method": self.method,
            "url": url,
            "params": params,
            "headers": headers,
        }
        if body is not None:
            request["json"] = body
        return request

    # -- execution -------------------------------------------------------------------------

    async def run(self, arguments: dict[str, Any]) -> str:
        """Call the endpoint; return JSON (lists cut to `limit`) or text.

        Raises ToolError for HTTP status >= 400 ("HTTP 404 Not Found: ..."), timeouts and
        connection failures. The secret never appears in a message.
        """
        import httpx  # heavy: imported on first call

        request = self.build_request(arguments)
        secrets = _secrets_of(request["headers"].get("Authorization", ""))
        host = urllib.parse.urlsplit(request["url"]).netloc
        origin = _origin(request["url"])
        try:
            # The timeout is a deadline for the whole call (redirects and a slow drip included),
            # not per read: a server sending a byte every 2 s cannot hold a call past it.
            async with (
                asyncio.timeout(self.timeout),
                httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as client,
            ):
                for _hop in range(MAX_REDIRECTS + 1):
                    async with client.stream(**request) as response:
                        if response.is_redirect:
                            request = _redirected(request, response, origin)
                            continue
                        data, truncated = await _read_capped(response, MAX_RESPONSE_BYTES)
                        status, reason = response.status_code, response.reason_phrase
                        content_type = response.headers.get("content-type", "")
                        encoding = response.encoding or "utf-8"
                        break
                else:
                    raise ToolError(f"the request to {host} was redirected more than {MAX_REDIRECTS} times")
        except (httpx.TimeoutException, TimeoutError):
            raise ToolError(f"the request to {host} timed out after {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            message = _scrub(str(exc) or type(exc).__name__, secrets)
            raise ToolError(f"the request to {host} failed: {message}") from None
        text = data.decode(encoding, errors="replace")
        if status >= 400:
            short = " ".join(text.split())[:_ERROR_BODY_CHARS]
            raise ToolError(_scrub(f"HTTP {status} {reason}: {short}".rstrip(": "), secrets))
        if truncated:
            return f"{text}\n{TRUNCATION_NOTE}"
        return self._format_body(text, content_type)

    def _format_body(self, text: str, content_type: str) -> str:
        stripped = text.strip()
        if "json" in content_type.lower() or stripped[:1] in ("{", "["):
            try:
                value = json.loads(stripped)
            except ValueError:
                return text
            if isinstance(value, list):
                value = value[: self.limit]
            return to_json(value)
        return text


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or {"http": 80, "https": 443}.get(scheme)


def _redirected(
    request: dict[str, Any], response: Any, origin: tuple[str, str, int | None]
) -> dict[str, Any]:
    """Return the request to send for a redirect, which must stay on the endpoint's origin.

    A redirect elsewhere is refused (never followed, so headers, credentials and bodies never
    leave the connection's origin). 303, and 301/302 after a POST, turn into a GET without a
    body, as browsers do; 307/308 repeat the request.
    """
    location = response.headers.get("location", "")
    target = urllib.parse.urljoin(str(response.url), location)
    if _origin(target) != origin:
        where = urllib.parse.urlsplit(target).netloc or target
        raise ToolError(
            f"the API redirected to another origin ({where}); redirects are only followed "
            "within the connection's own scheme, host and port"
        )
    follow = {**request, "url": target, "params": None}
    status = response.status_code
    if status == 303 or (status in (301, 302) and request["method"] not in ("GET", "HEAD")):
        follow["method"] = "GET"
        follow.pop("json", None)
    return follow


async def _read_capped(response: Any, cap: int) -> tuple[bytes, bool]:
    """Return (at most `cap` bytes of the body, whether more was left unread)."""
    buffer = bytearray()
    truncated = False
    async for chunk in response.aiter_bytes():
        room = cap - len(buffer)
        if len(chunk) > room:
            buffer += chunk[:room]
            truncated = True
            break
        buffer += chunk
    return bytes(buffer), truncated


def _secrets_of(authorization: str) -> list[str]:
    """Return the secret strings carried by an Authorization header (to keep out of messages)."""
    scheme, _, token = authorization.partition(" ")
    secrets = [token] if token else []
    if scheme == "Basic" and token:
        with contextlib.suppress(binascii.Error, ValueError):
            secrets.append(base64.b64decode(token, validate=True).decode("utf-8"))
    return secrets


def _scrub(message: str, secrets: list[str]) -> str:
    for secret in secrets:
        if len(secret) >= 4:
            message = message.replace(secret, "****")
    return message
