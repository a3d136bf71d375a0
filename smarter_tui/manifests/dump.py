"""Stored-manifest data: a validated model as plain JSON-safe data, and back to readable YAML."""

from __future__ import annotations

import json
import re
import secrets
from datetime import date, datetime, time
from typing import Any

from pydantic import BaseModel

from .base import Manifest, ManifestModel

TOP_LEVEL_ORDER = ("apiVersion", "kind", "metadata", "spec", "status")
#: Keys that read best first inside a mapping (the rest keep the model's field order).
_LEADING_KEYS = (
    "name",
    "type",
    "pluginClass",
    "description",
    "version",
    "connection",
    "selector",
    "prompt",
    "sqlQuery",
    "endpoint",
    "method",
    "urlParams",
    "headers",
    "body",
)


def manifest_data(model: Manifest) -> dict[str, Any]:
    """Return the manifest as it is stored: Smarter's field names, unknown keys kept, no status.

    Null fields are left out unless the user wrote them or Smarter's models require their key
    (KEEP_NONE).
    """
    data: dict[str, Any] = _plain(model)
    data.pop("status", None)
    return data


def _plain(value: Any) -> Any:
    """Return `value` as plain data: models by alias, extras kept, unwritten nulls left out, dates as text."""
    if isinstance(value, ManifestModel):
        keep = type(value).KEEP_NONE
        written = value.model_fields_set  # a null the user wrote is kept: it says something
        fields: dict[str, Any] = {}
        for name, info in type(value).model_fields.items():
            item = getattr(value, name)
            if item is None and name not in keep and name not in written:
                continue
            fields[info.alias or name] = _plain(item)
        ordered = {key: fields.pop(key) for key in _LEADING_KEYS if key in fields}
        ordered.update(fields)
        for key, item in (value.model_extra or {}).items():
            ordered.setdefault(str(key), _plain(item))
        return ordered
    if isinstance(value, BaseModel):
        return {key: _plain(item) for key, item in value.model_dump(by_alias=True).items()}
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def dump_yaml(data: dict[str, Any]) -> str:
    """Return `data` (a stored manifest dict) as block-style YAML in a stable key order.

    Top-level keys come as apiVersion, kind, metadata, spec, status; nested keys keep their order;
    multi-line strings are written as literal blocks; unicode is kept as is.
    """
    import yaml

    class _Dumper(yaml.SafeDumper):
        def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
            # Indent list items under their key: easier to read than PyYAML's default.
            super().increase_indent(flow, False)

    def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
        style = "|" if "\n" in text else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)

    _Dumper.add_representer(str, _represent_str)
    ordered = {key: data[key] for key in TOP_LEVEL_ORDER if key in data}
    ordered.update({key: value for key, value in data.items() if key not in ordered})
    # PyYAML's pure-Python emitter costs ~2 µs a character (an 8 MB Secret description took 16 s
    # to apply): very long strings are set aside and written as quoted scalars by json (in C).
    long_strings: dict[str, str] = {}
    token = f"smarter-long-{secrets.token_hex(8)}-"
    ordered = _set_aside(ordered, long_strings, token)
    text: str = yaml.dump(
        ordered,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    for placeholder, value in long_strings.items():
        text = text.replace(placeholder, _quoted(value), 1)
    return text


#: Strings longer than this are written by `_quoted` rather than by the YAML emitter.
LONG_STRING = 4096
# Characters a YAML reader refuses raw (json.dumps escapes C0, quotes and backslashes already).
_YAML_UNPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def _set_aside(value: Any, found: dict[str, str], token: str) -> Any:
    """Return `value` with every long string replaced by a unique placeholder kept in `found`."""
    if isinstance(value, str) and len(value) > LONG_STRING:
        placeholder = f"{token}{len(found)}"
        found[placeholder] = value
        return placeholder
    if isinstance(value, dict):
        return {key: _set_aside(item, found, token) for key, item in value.items()}
    if isinstance(value, list):
        return [_set_aside(item, found, token) for item in value]
    return value


def _quoted(text: str) -> str:
    """Return `text` as a double-quoted YAML scalar (JSON's string syntax, which YAML reads)."""
    quoted = json.dumps(text, ensure_ascii=False)
    return _YAML_UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", quoted)
