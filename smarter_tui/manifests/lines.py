"""YAML parsing that keeps positions: documents, their source text and a field-path -> line map."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from smarter_tui.domain.errors import ManifestError

from .base import Path

_SEPARATOR = re.compile(r"^(---|\.\.\.)(\s|$)")

#: Bounds checked on the parsed node graph before any value is built or walked. Aliases count
#: once per use, so a "billion laughs" file (a few hundred bytes expanding to gigabytes) is
#: refused in milliseconds; real manifests are far below every bound.
MAX_DOCUMENT_NODES = 200_000
MAX_DEPTH = 100
MAX_TEXT_BYTES = 16 * 1024 * 1024
#: Tags whose values are not JSON (bytes, sets, ordered pairs): refused with their line.
_REFUSED_TAGS = {
    "tag:yaml.org,2002:binary": "!!binary",
    "tag:yaml.org,2002:set": "!!set",
    "tag:yaml.org,2002:omap": "!!omap",
    "tag:yaml.org,2002:pairs": "!!pairs",
}


class YamlSyntaxError(ManifestError):
    """The text is not YAML; `line` is the 1-based line of the problem (1 when unknown)."""

    def __init__(self, message: str, line: int, problem: str, column: int | None = None) -> None:
        super().__init__(message, [message])
        self.line = line
        self.column = column
        self.problem = problem


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
        return line_of(self.lines, path, self.line)


def line_of(lines: dict[Path, int], path: Path, default: int) -> int:
    """Return the line of `path` in `lines`, of its nearest written parent, else `default`."""
    for end in range(len(path), -1, -1):
        line = lines.get(path[:end])
        if line is not None:
            return line
    return default


def parse_documents(text: str, filename: str) -> list[RawDocument]:
    """Split `text` into documents with data, source text and line maps.

    Raises ManifestError naming the file and line on a YAML syntax error.
    """
    import yaml

    if len(text) > MAX_TEXT_BYTES // 4 and len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        problem = f"the file is larger than {MAX_TEXT_BYTES // (1024 * 1024)} MiB"
        raise YamlSyntaxError(f"{filename}: line 1: {problem}", 1, problem)
    source_lines = text.splitlines(keepends=True)
    documents: list[RawDocument] = []
    # The C loader (when PyYAML has it) parses ~8x faster with the same nodes and marks.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                _check_graph(node, filename)
            data = _construct(node, loader)
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
    except _BadScalar as bad:
        kind = bad.node.tag.rsplit(":", 1)[-1] if bad.node.tag.startswith(_TAG) else "value"
        value = str(bad.node.value)[:80] if isinstance(bad.node.value, str) else kind
        raise _refuse(filename, bad.node, f"{value!r} is not a valid {kind}: {bad.reason}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown line"
        problem = exc.problem or exc.context or "invalid YAML"
        opened = exc.context_mark
        if exc.problem and exc.context and opened and mark and opened.line != mark.line:
            # PyYAML notices an unclosed list, mapping or quote where it expected the end, often
            # lines later: name the line it was opened on too (where the mistake usually is).
            what = exc.context.removeprefix("while parsing ").removeprefix("while scanning ")
            what = what.removeprefix("a ").removeprefix("an ")
            problem = f"{problem} (the {what} opened on line {opened.line + 1})"
        message = f"{filename}: {where}: YAML syntax error: {problem}"
        raise YamlSyntaxError(
            message,
            mark.line + 1 if mark else 1,
            f"YAML syntax error: {problem}",
            mark.column + 1 if mark else None,
        ) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        problem = f"character U+{char:04X} is not allowed in YAML text"
        raise YamlSyntaxError(f"{filename}: line {line}: {problem}", line, problem) from None
    except yaml.YAMLError as exc:
        problem = f"YAML error: {' '.join(str(exc).split())}"
        raise YamlSyntaxError(f"{filename}: line 1: {problem}", 1, problem) from None
    finally:
        loader.dispose()
    return documents


def _refuse(filename: str, node: Any, problem: str) -> ManifestError:
    message = f"{filename}: line {node.start_mark.line + 1}: {problem}"
    return YamlSyntaxError(message, node.start_mark.line + 1, problem)


_TAG = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ = _TAG + "str", _TAG + "map", _TAG + "seq"
#: Scalars PyYAML's safe constructor builds (other than str, which is the node's own text).
_SCALARS = frozenset(_TAG + name for name in ("int", "float", "bool", "null", "timestamp"))


class _NotPlain(Exception):
    """The document needs PyYAML's own constructor (a merge key, another tag, an odd key)."""


class _BadScalar(Exception):
    """A scalar PyYAML recognises but cannot build (a date like 2024-02-30): refused at its line."""

    def __init__(self, node: Any, reason: str) -> None:
        super().__init__(reason)
        self.node = node
        self.reason = reason


def _construct(root: Any, loader: Any) -> Any:
    """Return a document's value exactly as PyYAML's safe constructor builds it.

    Plain documents (strings, numbers, booleans, nulls, timestamps, mappings, lists; aliases
    shared) are built in one direct walk, about twice as fast as the constructor's generic
    machinery on a large manifest; anything else goes to `loader.construct_document`.
    """
    if root is None:
        return loader.construct_document(root)
    import yaml

    scalar, mapping = yaml.ScalarNode, yaml.MappingNode
    memo: dict[int, Any] = {}

    def build(node: Any) -> Any:
        ident = id(node)
        if ident in memo:
            return memo[ident]
        tag = node.tag
        value: Any
        if isinstance(node, scalar):
            if tag == _STR:
                value = node.value
            elif tag in _SCALARS:
                try:
                    value = loader.construct_object(node)
                except (ValueError, OverflowError) as exc:
                    raise _BadScalar(node, str(exc)) from None
            else:
                raise _NotPlain
        elif isinstance(node, mapping):
            if tag != _MAP:
                raise _NotPlain
            value = memo[ident] = {}
            for key_node, value_node in node.value:
                if key_node.tag not in _SCALARS and key_node.tag != _STR:
                    raise _NotPlain  # merge keys, complex keys: the constructor's rules
                value[build(key_node)] = build(value_node)
            return value
        else:
            if tag != _SEQ:
                raise _NotPlain
            value = memo[ident] = []
            value.extend(build(item) for item in node.value)
            return value
        memo[ident] = value
        return value

    try:
        return build(root)
    except _NotPlain:
        try:
            return loader.construct_document(root)
        except (ValueError, OverflowError) as exc:
            raise _BadScalar(_failing_scalar(root, loader), str(exc)) from None
    finally:
        loader.constructed_objects = {}
        loader.recursive_objects = {}


def _failing_scalar(root: Any, loader: Any) -> Any:
    """Return the first scalar under `root` that PyYAML cannot build (else `root`), for its line."""
    import yaml

    loader.constructed_objects, loader.recursive_objects = {}, {}  # left mid-way by the failure
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if node.tag in _SCALARS:
                try:
                    loader.construct_object(node)
                except (ValueError, OverflowError):
                    return node
        elif isinstance(node, yaml.MappingNode):
            stack.extend(item for pair in reversed(node.value) for item in reversed(pair))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
    return root


def _check_graph(root: Any, filename: str) -> None:
    """Refuse what `_check_graph_exactly` refuses; a fast pass first proves most documents fine.

    A document without aliases is a tree: its expanded size is its node count and its depth the
    longest path, found in one cheap walk (a third of the cost on a 1,000-line manifest, which
    the editor re-validates as the user types). Anything else (an alias, a refused tag, a bound
    reached) goes to the exact check, which decides and names the line.
    """
    import yaml

    mapping, sequence = yaml.MappingNode, yaml.SequenceNode
    seen: set[int] = set()
    stack: list[tuple[Any, int]] = [(root, 1)]
    count = 0
    while stack:
        node, depth = stack.pop()
        ident = id(node)
        count += 1
        if ident in seen or depth > MAX_DEPTH or count > MAX_DOCUMENT_NODES or node.tag in _REFUSED_TAGS:
            _check_graph_exactly(root, filename)
            return
        seen.add(ident)
        if isinstance(node, mapping):
            for key, value in node.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
        elif isinstance(node, sequence):
            stack.extend((item, depth + 1) for item in node.value)


def _check_graph_exactly(root: Any, filename: str) -> None:
    """Refuse cyclic aliases, values nested deeper than MAX_DEPTH, documents that expand (aliases
    counted per use) to more than MAX_DOCUMENT_NODES, and non-JSON tags; each with its line.

    One pass over the distinct nodes (aliases share node objects), iterative so no nesting can
    exhaust the Python stack. Raises ManifestError.
    """
    import yaml

    size: dict[int, int] = {}  # id(node) -> expanded node count (capped), once finished
    height: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        ident = id(node)
        if children_done:
            on_path.discard(ident)
            children = _children(node, yaml)
            total = 1 + sum(size[id(c)] for c in children)
            tallest = 1 + max((height[id(c)] for c in children), default=0)
            if tallest > MAX_DEPTH:
                raise _refuse(filename, node, f"values are nested more than {MAX_DEPTH} levels deep")
            if total > MAX_DOCUMENT_NODES:
                raise _refuse(
                    filename,
                    node,
                    f"the document expands to more than {MAX_DOCUMENT_NODES:,} values "
                    "(aliases repeat what they refer to); refused as an alias bomb",
                )
            size[ident], height[ident] = total, tallest
            continue
        if ident in size:
            continue
        tag = _REFUSED_TAGS.get(node.tag)
        if tag is not None:
            raise _refuse(
                filename, node, f"the YAML tag {tag} is not allowed in a manifest (use plain values)"
            )
        if len(on_path) >= MAX_DEPTH:
            raise _refuse(filename, node, f"values are nested more than {MAX_DEPTH} levels deep")
        on_path.add(ident)
        stack.append((node, True))
        for child in _children(node, yaml):
            if id(child) in on_path:
                raise _refuse(filename, child, "an alias refers to the value that contains it")
            if id(child) not in size:
                stack.append((child, False))


def _children(node: Any, yaml: Any) -> list[Any]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


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
    """Record the 1-based line of every mapping key and sequence item below `node` (64 levels deep)."""
    import yaml

    # The editor runs this on every re-validation: yaml is looked up once, not once per node
    # (a function-level import costs ~1 µs a call, ~3 ms on a 1,000-line manifest).
    mapping, sequence, scalar = yaml.MappingNode, yaml.SequenceNode, yaml.ScalarNode
    lines, duplicates = document.lines, document.duplicate_keys

    def walk(node: Any, path: Path, depth: int) -> None:
        if depth > 64:
            return
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, mapping):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value) if isinstance(key_node, scalar) else "?"
                child = (*path, key)
                if key in seen:
                    duplicates.append(child)
                seen.add(key)
                lines[child] = key_node.start_mark.line + 1
                if not isinstance(value_node, scalar):  # a scalar's line is its key's, set above
                    walk(value_node, child, depth + 1)
        elif isinstance(node, sequence):
            for index, item in enumerate(node.value):
                child = (*path, index)
                lines[child] = item.start_mark.line + 1
                if not isinstance(item, scalar):
                    walk(item, child, depth + 1)

    walk(node, path, depth)
