"""YAML parsing that keeps positions: documents, their source text and a field-path -> line map."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from smarter_tui.domain.errors import ManifestError

from .base import Path

_SEPARATOR = re.compile(r"^(---|\.\.\.)(\s|$)")


@dataclass(slots=True)
class RawDocument:
    """One YAML document of a file, with the positions needed for messages."""

    index: int  # 1-based, counting every document of the stream
    line: int  # 1-based first line of the document's content
    data: Any
    source_text: str
    lines: dict[Path, int] = field(default_factory=dict)
    duplicate_keys: list[Path] = field(default_factory=list)

    def line_of(self, path: Path) -> int:
        """Return the line of `path`, or of its nearest written parent when it is missing."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return self.line


def parse_documents(text: str, filename: str) -> list[RawDocument]:
    """Split `text` into documents with data, source text and line maps.

    Raises ManifestError naming the file and line on a YAML syntax error.
    """
    import yaml

    source_lines = text.splitlines(keepends=True)
    documents: list[RawDocument] = []
    # The C loader (when PyYAML has it) parses ~8x faster with the same nodes and marks.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            data = loader.construct_document(node)
            start = node.start_mark.line if node is not None else 0
            document = RawDocument(
                index=len(documents) + 1,
                line=start + 1,
                data=data,
                source_text=_document_text(source_lines, start),
            )
            if node is not None:
                _map_lines(node, (), document, 0)
            documents.append(document)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown line"
        problem = exc.problem or exc.context or "invalid YAML"
        message = f"{filename}: {where}: YAML syntax error: {problem}"
        raise ManifestError(message, [message]) from None
    except yaml.YAMLError as exc:
        message = f"{filename}: YAML error: {exc}"
        raise ManifestError(message, [message]) from None
    finally:
        loader.dispose()
    return documents


def _document_text(lines: list[str], start: int) -> str:
    """Return the lines of the document whose content starts at 0-based line `start`."""
    if not lines:
        return ""
    start = min(start, len(lines) - 1)
    begin = start
    if not _SEPARATOR.match(lines[start]):
        while begin > 0 and not _SEPARATOR.match(lines[begin - 1]):
            begin -= 1
    end = start + 1
    while end < len(lines) and not _SEPARATOR.match(lines[end]):
        end += 1
    return "".join(lines[begin:end])


def _map_lines(node: Any, path: Path, document: RawDocument, depth: int) -> None:
    """Record the 1-based line of every mapping key and sequence item below `node`."""
    import yaml

    if depth > 64:
        return
    document.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            child = (*path, key)
            if key in seen:
                document.duplicate_keys.append(child)
            seen.add(key)
            document.lines[child] = key_node.start_mark.line + 1
            _map_lines(value_node, child, document, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*path, index)
            document.lines[child] = item.start_mark.line + 1
            _map_lines(item, child, document, depth + 1)
