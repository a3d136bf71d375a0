"""Manifests: pydantic models of every kind, YAML loading with line-numbered errors, YAML dumping."""

from .base import Manifest, Metadata, normalise_name
from .connections import ApiConnectionManifest, SqlConnectionManifest
from .credentials import ProviderManifest, SecretManifest
from .dump import dump_yaml, manifest_data
from .kinds import KINDS, MANIFEST_CLASSES, canonical_kind
from .llmclient import LLMClientManifest
from .loader import LoadedManifest, load_file, load_text
from .plugin_kinds import ApiPluginManifest, PluginManifest, SqlPluginManifest
from .sql import quoted_placeholders, sql_placeholders

__all__ = [
    "KINDS",
    "MANIFEST_CLASSES",
    "ApiConnectionManifest",
    "ApiPluginManifest",
    "LLMClientManifest",
    "LoadedManifest",
    "Manifest",
    "Metadata",
    "PluginManifest",
    "ProviderManifest",
    "SecretManifest",
    "SqlConnectionManifest",
    "SqlPluginManifest",
    "canonical_kind",
    "dump_yaml",
    "load_file",
    "load_text",
    "manifest_data",
    "normalise_name",
    "quoted_placeholders",
    "sql_placeholders",
]
