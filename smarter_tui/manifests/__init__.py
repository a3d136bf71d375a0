"""Manifests: pydantic models of every kind, YAML loading with line-numbered errors, YAML dumping.

Names are imported lazily: `smarter_tui.manifests.specs` and `.engines` (what run time reads)
must not pull in pydantic, whose import alone costs tens of milliseconds at start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .base import Manifest, Metadata, normalise_name
    from .connections import ApiConnectionManifest, SqlConnectionManifest
    from .credentials import ProviderManifest, SecretManifest
    from .dump import dump_yaml, manifest_data
    from .kinds import KINDS, MANIFEST_CLASSES, canonical_kind
    from .llmclient import LLMClientManifest
    from .loader import CheckedText, LoadedManifest, check_text, load_file, load_text
    from .plugin_kinds import ApiPluginManifest, PluginManifest, SqlPluginManifest
    from .sql import quoted_placeholders, sql_placeholders

_WHERE = {
    "Manifest": "base",
    "Metadata": "base",
    "normalise_name": "base",
    "ApiConnectionManifest": "connections",
    "SqlConnectionManifest": "connections",
    "ProviderManifest": "credentials",
    "SecretManifest": "credentials",
    "dump_yaml": "dump",
    "manifest_data": "dump",
    "KINDS": "kinds",
    "MANIFEST_CLASSES": "kinds",
    "canonical_kind": "kinds",
    "LLMClientManifest": "llmclient",
    "CheckedText": "loader",
    "LoadedManifest": "loader",
    "check_text": "loader",
    "load_file": "loader",
    "load_text": "loader",
    "ApiPluginManifest": "plugin_kinds",
    "PluginManifest": "plugin_kinds",
    "SqlPluginManifest": "plugin_kinds",
    "quoted_placeholders": "sql",
    "sql_placeholders": "sql",
}

__all__ = [
    "ApiConnectionManifest",
    "ApiPluginManifest",
    "CheckedText",
    "KINDS",
    "LLMClientManifest",
    "LoadedManifest",
    "MANIFEST_CLASSES",
    "Manifest",
    "Metadata",
    "PluginManifest",
    "ProviderManifest",
    "SecretManifest",
    "SqlConnectionManifest",
    "SqlPluginManifest",
    "canonical_kind",
    "check_text",
    "dump_yaml",
    "load_file",
    "load_text",
    "manifest_data",
    "normalise_name",
    "quoted_placeholders",
    "sql_placeholders",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
