"""`describe` in today's Smarter shape: stored data read back through the model, and a status.

The status is complete for the Smarter SDK's model of the kind (`SAM_MODELS[kind]`), filled with
what a local install knows: the local user, the times, the dependants, the local URLs.
"""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from typing import Any

from smarter_tui.domain.errors import ManifestError
from smarter_tui.domain.records import CatalogueEntry

#: What a local install answers where Smarter names an account.
LOCAL_ACCOUNT = "local"
LOCAL_PORT = 9357  # `serve`'s default port (a local Smarter install's)


def canonical_data(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """Return stored manifest data in today's shape, read again through the model.

    Rows stored in an older shape (flat LLMClient, camelCase Provider) come back nested and in
    today's spelling. Raises ManifestError when the stored data no longer validates.
    """
    from pydantic import ValidationError

    from .dump import manifest_data
    from .kinds import MANIFEST_CLASSES

    try:
        model = MANIFEST_CLASSES[kind].model_validate(data)
    except ValidationError as exc:
        raise ManifestError(f"the stored {kind} no longer validates: {exc.errors()[0]['msg']}") from None
    return manifest_data(model)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return LOCAL_ACCOUNT


def _time(value: datetime | None) -> str:
    return (value or datetime.now(UTC)).isoformat()


def status_of(entry: CatalogueEntry, dependencies: list[dict[str, str]]) -> dict[str, Any]:
    """Return the read-only `status` of a stored manifest, complete for Smarter's model of its kind."""
    created, modified = _time(entry.created_at), _time(entry.updated_at)
    locator = f"{entry.kind.lower()}/{entry.name}"
    common: dict[str, Any] = {
        "created": created,
        "modified": modified,
        "recordLocator": locator,
        "dependencies": dependencies,
    }
    if entry.kind == "Provider":
        return {
            **common,
            "is_active": True,
            "is_deprecated": False,
            "is_flagged": False,
            "is_suspended": False,
            "is_verified": True,
            "can_activate": True,
        }
    user = _user()
    if entry.kind in ("SqlConnection", "ApiConnection"):
        return {**common, "account_number": LOCAL_ACCOUNT, "username": user}
    status = {**common, "accountNumber": LOCAL_ACCOUNT, "username": user}
    if entry.kind != "LLMClient":
        return status
    host = f"{entry.name}.localhost:{LOCAL_PORT}"
    base = f"http://{host}"
    api = f"http://127.0.0.1:{LOCAL_PORT}/api/v1/llm-clients/{entry.name}"
    prompt = (entry.manifest.get("spec") or {}).get("config", {}).get("prompt") or {}
    domain = prompt.get("customDomain") if isinstance(prompt, dict) else None
    custom = domain.get("domain_name") if isinstance(domain, dict) else None
    return {
        **status,
        "customUrl": f"https://{custom}/" if custom else None,
        "defaultHost": host,
        "defaultUrl": f"{base}/",
        "deployed": bool(prompt.get("deployed")) if isinstance(prompt, dict) else False,
        "dnsVerificationStatus": "not applicable (local)",
        "hostname": host,
        "sandboxHost": "127.0.0.1",
        "sandboxUrl": f"{api}/",
        "url": f"{base}/",
        "urlChatConfig": f"{api}/config/",
        "urlChatapp": f"{base}/",
        "urlLLMClient": f"{api}/",
    }
