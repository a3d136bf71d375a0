"""The manifest kinds: their model classes and `canonical_kind` for tolerant spellings."""

from __future__ import annotations

from smarter_tui.domain.errors import ManifestError
from smarter_tui.domain.records import KIND_GROUPS

from .base import Manifest
from .connections import ApiConnectionManifest, SqlConnectionManifest
from .credentials import ProviderManifest, SecretManifest
from .llmclient import LLMClientManifest
from .plugin_kinds import ApiPluginManifest, PluginManifest, SqlPluginManifest

#: Model class of each canonical kind, in dependency order (what a kind refers to comes first).
MANIFEST_CLASSES: dict[str, type[Manifest]] = {
    cls.KIND: cls
    for cls in (
        SecretManifest,
        ProviderManifest,
        SqlConnectionManifest,
        ApiConnectionManifest,
        PluginManifest,
        SqlPluginManifest,
        ApiPluginManifest,
        LLMClientManifest,
    )
}

#: The canonical kinds, in dependency order (Secret, Provider, connections, plugins, LLMClient).
KINDS: tuple[str, ...] = tuple(MANIFEST_CLASSES)
assert set(KINDS) == set(KIND_GROUPS), "manifest kinds and domain KIND_GROUPS disagree"

_EXTRA_SPELLINGS = {"chatbot": "LLMClient", "staticplugin": "Plugin"}


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch not in "_- .")


_SPELLINGS: dict[str, str] = {}
for _kind in KINDS:
    _SPELLINGS[_squash(_kind)] = _kind
for _spelling, _kind in _EXTRA_SPELLINGS.items():
    _SPELLINGS[_spelling] = _kind
_SPELLINGS.update({key + "s": kind for key, kind in list(_SPELLINGS.items())})


def valid_kinds_text() -> str:
    """Return the human list of valid kinds, e.g. for error messages."""
    return ", ".join(KINDS) + " (Chatbot is accepted for LLMClient)"


def canonical_kind(text: str) -> str:
    """Return the canonical kind for `text` ("llm_clients" -> "LLMClient", "chatbots" too).

    Case-insensitive; plurals, underscores, hyphens and spaces are tolerated.
    Raises ManifestError naming the valid kinds when `text` is not a kind.
    """
    kind = _SPELLINGS.get(_squash(str(text)))
    if kind is None:
        raise ManifestError(f"unknown kind {text!r}; expected one of {valid_kinds_text()}")
    return kind
