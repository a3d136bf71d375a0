"""Edit the user's YAML text in place: comments, order, quoting and layout kept (ruamel.yaml round trip).

Used to attach/detach a plugin to a client, rename a copy, or show a masked secret, without
re-dumping the user's text (which would lose their comments). ruamel.yaml is imported here only,
when an edit is made.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from typing import Any

from smarter_tui.domain.errors import ManifestError

_BLOCK_KEY = re.compile(r"^(\s*)[^\s#\-][^#]*:\s*(#.*)?$")
_ITEM = re.compile(r"^(\s*)- ")


def _indents(text: str) -> tuple[int, int, int]:
    """Guess (mapping indent, sequence indent, dash offset) of `text`, so an edit keeps its layout."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    mapping: int | None = None
    sequence: tuple[int, int] | None = None
    for line, following in zip(lines, lines[1:], strict=False):
        opened = _BLOCK_KEY.match(line)
        if not opened:
            continue
        parent = len(opened.group(1))
        child = len(following) - len(following.lstrip())
        if child <= parent:
            continue
        item = _ITEM.match(following)
        if item and sequence is None:
            offset = len(item.group(1)) - parent
            sequence = (offset + 2, offset)
        elif not item and mapping is None:
            mapping = child - parent
        if mapping is not None and sequence is not None:
            break
    map_indent = mapping or 2
    seq_indent, offset = sequence or (map_indent, 0)
    return map_indent, max(seq_indent, offset + 2), offset


def _yaml(text: str) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap the user's long lines
    mapping, sequence, offset = _indents(text)
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    # ruamel writes None as an empty value; keep the `null` the user (and our examples) wrote.
    yaml.representer.add_representer(type(None), _represent_null)
    return yaml


def _represent_null(representer: Any, _value: None) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def edit(text: str, change: Callable[[Any], None]) -> str:
    """Return `text` with `change(document)` applied to its (single) YAML document, layout kept.

    Raises ManifestError when the text is not one YAML mapping.
    """
    from ruamel.yaml import YAMLError

    yaml = _yaml(text)
    try:
        document = yaml.load(text)
    except YAMLError as exc:
        raise ManifestError(f"The YAML cannot be edited: {exc}") from None
    if not isinstance(document, dict):
        raise ManifestError("The YAML cannot be edited: it is not a mapping")
    change(document)
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


def _container(document: Any, path: Sequence[str]) -> Any:
    """Return the mapping at `path`, creating empty mappings where keys are missing or null."""
    from ruamel.yaml.comments import CommentedMap

    node = document
    for key in path:
        if not isinstance(node.get(key), dict):
            node[key] = CommentedMap()
        node = node[key]
    return node


def set_value(text: str, path: Sequence[str], value: Any) -> str:
    """Return `text` with the value at `path` (mapping keys) set, layout and comments kept."""

    def change(document: Any) -> None:
        _container(document, path[:-1])[path[-1]] = value

    return edit(text, change)


def add_to_list(text: str, path: Sequence[str], item: str) -> str:
    """Return `text` with `item` appended to the list at `path` (created when missing); no duplicate."""

    def change(document: Any) -> None:
        from ruamel.yaml.comments import CommentedSeq

        parent = _container(document, path[:-1])
        items = parent.get(path[-1])
        if not isinstance(items, list):
            items = parent[path[-1]] = CommentedSeq()
        if item not in items:
            items.append(item)

    return edit(text, change)


def remove_from_list(text: str, path: Sequence[str], item: str) -> str:
    """Return `text` without `item` in the list at `path` (unchanged when it is not there)."""

    def change(document: Any) -> None:
        node = document
        for key in path[:-1]:
            node = node.get(key) if isinstance(node, dict) else None
        items = node.get(path[-1]) if isinstance(node, dict) else None
        if isinstance(items, list):
            while item in items:
                items.remove(item)

    return edit(text, change)


def value_at(text: str, path: Sequence[str]) -> Any:
    """Return the value at `path` (mapping keys) of the text's document, or None when absent."""
    import yaml

    node: Any = yaml.safe_load(text)
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node
