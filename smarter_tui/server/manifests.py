"""The manifest API (SMARTER-API.md §5): what `smarter apply/describe/...` and the SDK's `manifests` use."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from smarter_tui.config.paths import data_dir
from smarter_tui.domain.errors import ManifestError, NotFoundError, RequestError
from smarter_tui.server.errors import NotSupported
from smarter_tui.server.schemas import ERRORS, Envelope
from smarter_tui.server.security import require_key, services_of
from smarter_tui.services import authoring
from smarter_tui.services.catalogue import apply_text, resolve_kind
from smarter_tui.services.envelopes import API_VERSION
from smarter_tui.services.resources import kinds, version_info, whoami

router = APIRouter(
    prefix="/api/v1/cli",
    tags=["manifests"],
    dependencies=[Depends(require_key)],
    responses={200: {"model": Envelope}, **ERRORS},
)

Name = Annotated[str | None, Query(max_length=200, description="the resource's name")]
_YAML_TYPES = ("yaml", "yml", "text/plain")
_FILENAME = "<request>"


def _envelope(command: str, thing: str, data: Any = None, message: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {
        "api": API_VERSION,
        "thing": thing,
        "metadata": {"command": command, "thing": thing},
    }
    body["data"] = data if data is not None else {}
    if message is not None:
        body["message"] = message
    return JSONResponse(body)


def _kind(kind: str) -> tuple[str, str]:
    """Return (group, display kind) for a `{Kind}` path segment; RequestError for an unknown kind."""
    try:
        group, canonical = resolve_kind(kind)
    except ManifestError as exc:
        raise RequestError(exc.message) from None
    return group, canonical or kind


def _name(name: str | None, command: str) -> str:
    if not name:
        raise RequestError(f"{command} needs ?name=")
    return name


async def _manifest_text(request: Request) -> str:
    """Return the body as manifest text: JSON (the SDK) or YAML (`Content-Type: application/yaml`)."""
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RequestError("The manifest is not UTF-8 text") from None
    if not text.strip():
        raise RequestError("The request body holds no manifest")
    content_type = request.headers.get("content-type", "")
    if not any(t in content_type for t in _YAML_TYPES):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RequestError(
                f"The body is not JSON ({exc.msg}, line {exc.lineno}); send YAML as application/yaml"
            ) from None
        if not isinstance(document, dict):
            raise RequestError(
                "The body must be one manifest: a JSON object with apiVersion, kind, metadata, spec"
            )
        text = json.dumps(document, indent=1)  # one key per line, so problems name useful lines
    return text


@router.post("/apply/", summary="Apply manifests (JSON, or YAML with several documents)")
async def apply(request: Request) -> JSONResponse:
    """Validate and store the manifests of the body, all or nothing."""
    services = services_of(request)
    text = await _manifest_text(request)
    # Validating and storing run on the thread pool, not on the event loop the streams share.
    applied = await run_in_threadpool(apply_text, services.catalogue, text, _FILENAME, data_dir())
    said = "; ".join(f"{a.kind} {a.name} {a.action}" for a in applied)
    warnings = [w for a in applied for w in a.warnings]
    thing = applied[0].kind if len(applied) == 1 else "Manifests"
    data = {
        "applied": [{"kind": a.kind, "name": a.name, "action": a.action} for a in applied],
        "warnings": warnings,
    }
    return _envelope("apply", thing, data, said)


@router.post("/validate/", summary="Validate a manifest without storing it")
async def validate(request: Request) -> JSONResponse:
    """Return `{"valid", "errors"}`: every problem with its document, field and line."""
    report = await run_in_threadpool(authoring.validate_text, await _manifest_text(request), _FILENAME)
    errors = [problem.text for problem in report.errors]
    return _envelope("validate", "Manifest", {"valid": report.valid, "errors": errors})


@router.post("/get/{kind}/", summary="The resources of a kind, as a table")
def get(request: Request, kind: str, name: Name = None) -> JSONResponse:
    """List a kind (`?name=` for one)."""
    _, display = _kind(kind)
    entries = services_of(request).catalogue.list(kind)
    if name is not None:
        entries = [e for e in entries if e.name == name]
    items = [
        {
            "id": e.id,
            "name": e.name,
            "kind": e.kind,
            "description": e.description,
            "created_at": e.created_at.isoformat() if e.created_at else None,
            "updated_at": e.updated_at.isoformat() if e.updated_at else None,
        }
        for e in entries
    ]
    titles = [
        {"name": n, "type": t}
        for n, t in (
            ("id", "AutoField"),
            ("name", "CharField"),
            ("kind", "CharField"),
            ("description", "TextField"),
            ("created_at", "DateTimeField"),
            ("updated_at", "DateTimeField"),
        )
    ]
    data = {
        "apiVersion": API_VERSION,
        "kind": display,
        "name": name,
        "metadata": {"count": len(items)},
        "data": {"titles": titles, "items": items},
    }
    return _envelope("get", display, data)


@router.post("/describe/{kind}/", summary="A resource's manifest, in today's Smarter shape")
def describe(request: Request, kind: str, name: Name = None) -> JSONResponse:
    """Return the stored manifest with its read-only `status`."""
    _, display = _kind(kind)
    return _envelope(
        "describe", display, services_of(request).catalogue.describe(kind, _name(name, "describe"))
    )


@router.post("/delete/{kind}/", summary="Delete a resource (409 while others depend on it)")
def delete(request: Request, kind: str, name: Name = None) -> JSONResponse:
    """Delete one resource."""
    services = services_of(request)
    entry = services.catalogue.get(kind, _name(name, "delete"))
    services.catalogue.delete(entry.kind, entry.name)
    return _envelope("delete", entry.kind, message=f"{entry.kind} {entry.name} deleted")


def _of_kind(command: str, kind: str, build: Callable[[str], Any]) -> JSONResponse:
    """Answer `command` with what `build` makes for one kind (a group word names none: 400)."""
    _, display = _kind(kind)
    try:
        return _envelope(command, display, build(kind))
    except ManifestError as exc:  # a group word ("plugins") names no single kind
        raise RequestError(exc.message) from None


@router.post("/example-manifest/{kind}/", summary="A valid example manifest of a kind")
def example(kind: str) -> JSONResponse:
    """Return an example to start from."""
    return _of_kind("example_manifest", kind, authoring.example_data)


@router.post("/json-schema/{kind}/", summary="The JSON Schema (draft 2020-12) of a kind's manifest")
def schema(kind: str) -> JSONResponse:
    """Return the kind's JSON Schema."""
    return _of_kind("json_schema", kind, authoring.json_schema)


@router.post("/whoami/", summary="The local user and account")
def who() -> JSONResponse:
    """Return the local user and account."""
    return _envelope("whoami", "None", whoami())


@router.post("/version/", summary="The version of this server")
def version() -> JSONResponse:
    """Return the versions."""
    return _envelope("version", "None", version_info())


@router.post("/status/", summary="The platform's status (nothing to report locally)")
def status() -> JSONResponse:
    """Return an empty status."""
    return _envelope("status", "None", {})


@router.post("/resources/", summary="The kinds this server serves")
def resources() -> JSONResponse:
    """Return the kinds."""
    return _envelope("resources", "None", kinds())


@router.post("/{verb}/{kind}/", summary="deploy, undeploy and logs: not supported by a local install")
def unsupported(verb: str, kind: str) -> JSONResponse:
    """Answer 400 for the verbs of a hosted platform."""
    if verb not in ("deploy", "undeploy", "logs"):
        raise NotFoundError(f"No manifest API command {verb[:50]!r}")
    raise NotSupported(f"{verb!r} is not supported by a local install")
