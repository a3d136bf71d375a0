"""Shared pieces of every manifest model: base config, rule errors, notes, names, the envelope."""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PrivateAttr,
    WithJsonSchema,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from .checks import secret_name_problem

#: A field path inside a document, e.g. ("spec", "sqlData", "parameters", 1, "type").
Path = tuple[str | int, ...]

API_VERSION = "smarter.sh/v1"
LEGACY_API_VERSIONS = ("smarter.sh/v0",)
NAME_MAX_LENGTH = 50
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
_NORMALISABLE = re.compile(r"^[A-Za-z0-9 _.\-]+$")
_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)


def rule_error(message: str, *subpath: str | int) -> PydanticCustomError:
    """Return a validation error whose path is the model's path plus `subpath`.

    The message travels in the context (not the template) so braces such as `{keyword}` survive.
    """
    return PydanticCustomError("manifest_rule", "{message}", {"message": message, "subpath": subpath})


def _none_to_list(value: Any) -> Any:
    return [] if value is None else value


def one_of(*options: str) -> AfterValidator:
    """Return a validator: the string must be one of `options`, compared case-insensitively.

    The value is kept as the user wrote it ("get" stays "get": nothing a user wrote changes on
    the way back); code that acts on it compares case-insensitively (the typed specs hold the
    canonical form). Use with `listed(...)` so the JSON Schema names the canonical spellings:
    `Annotated[str, one_of("GET", "POST"), listed("GET", "POST")]`.
    """
    wanted = {option.lower() for option in options}
    expected = ", ".join(repr(option) for option in options)

    def check(value: str) -> str:
        if value.strip().lower() not in wanted:
            message = "Input should be one of {expected}"
            raise PydanticCustomError("literal_error", message, {"expected": expected})
        return value

    return AfterValidator(check)


def listed(*options: str) -> WithJsonSchema:
    """Return the JSON Schema of a `one_of` string: a string enum of the canonical spellings."""
    return WithJsonSchema({"type": "string", "enum": list(options)})


#: A list that may be written as `null` in YAML (stored as []).
StrList = Annotated[list[str], BeforeValidator(_none_to_list)]


def normalise_name(value: str) -> str | None:
    """Return the snake_case form of `value`, or None when it cannot be normalised.

    "My-Plugin" -> "my_plugin", "CourseSearch" -> "course_search"; the result must start with a
    letter and be at most 50 characters long.
    """
    text = value.strip()
    if not text or not _NORMALISABLE.match(text):
        return None
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text)
    text = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()
    if not NAME_PATTERN.match(text) or len(text) > NAME_MAX_LENGTH:
        return None
    return text


class ManifestModel(BaseModel):
    """Base of every manifest model: camelCase aliases, unknown keys kept, notes for warnings.

    Stored (and described) data leaves out fields that are null, except those named in
    KEEP_NONE (Smarter's models require the key, e.g. metadata.description); unknown keys are
    kept as given, after the declared fields.
    """

    model_config = ConfigDict(
        extra="allow",
        alias_generator=to_camel,
        populate_by_name=True,
    )

    #: Fields written even when null (their key is required by the Smarter models).
    KEEP_NONE: ClassVar[frozenset[str]] = frozenset()

    _notes: list[tuple[Path, str]] = PrivateAttr(default_factory=list)

    def note(self, message: str, *subpath: str | int) -> None:
        """Record a warning about this model (or the field at `subpath` below it)."""
        self._notes.append((subpath, message))

    @property
    def notes(self) -> list[tuple[Path, str]]:
        """The warnings recorded while validating this model (relative paths)."""
        return list(self._notes)

    def checked_name(self, value: str, *subpath: str | int, what: str = "name") -> str:
        """Return `value` as a snake_case name, noting a normalisation; raise when impossible."""
        if NAME_PATTERN.match(value) and len(value) <= NAME_MAX_LENGTH:
            return value
        fixed = normalise_name(value)
        if fixed is None:
            raise rule_error(
                f"expected a snake_case {what} (letters, digits, '_', starting with a letter, "
                f"at most {NAME_MAX_LENGTH} characters); got {value!r}",
                *subpath,
            )
        self.note(f"{what} {value!r} normalised to {fixed!r}", *subpath)
        return fixed

    def checked_secret_name(self, value: str, *subpath: str | int, what: str = "Secret name") -> str:
        """Like `checked_name`, but refuse (without echoing it) a value that looks like a key."""
        problem = secret_name_problem(value)
        if problem:
            raise rule_error(problem, *subpath)
        return self.checked_name(value, *subpath, what=what)

    def checked_names(self, values: list[str], field: str, what: str) -> list[str]:
        """Normalise a list of names (see `checked_name`), dropping duplicates with a warning."""
        result: list[str] = []
        for index, value in enumerate(values):
            name = self.checked_name(value, field, index, what=what)
            if name in result:
                self.note(f"duplicate {what} {name!r} ignored", field, index)
                continue
            result.append(name)
        return result


class Metadata(ManifestModel):
    """`metadata`: name, description, version, tags, annotations."""

    KEEP_NONE: ClassVar[frozenset[str]] = frozenset({"description", "version"})

    name: str
    description: str | None = None
    version: str | None = None
    tags: StrList = []
    annotations: Annotated[list[dict[str, Any]], BeforeValidator(_none_to_list)] = []

    @model_validator(mode="after")
    def _check(self) -> Metadata:
        self.name = self.checked_name(self.name, "name")
        if self.version is not None:
            self.version = self.version.strip()
            if not _SEMVER.match(self.version):
                raise rule_error(
                    f"expected a SemVer version such as 0.1.0, or null; got {self.version!r}",
                    "version",
                )
        for index, item in enumerate(self.annotations):
            if len(item) != 1:
                raise rule_error(
                    f"expected a mapping with exactly one key; got {len(item)} keys",
                    "annotations",
                    index,
                )
        return self


class Manifest(ManifestModel):
    """The envelope shared by every kind: apiVersion, kind, metadata, spec, status (ignored)."""

    KIND: ClassVar[str] = ""
    #: Other spellings accepted in the YAML `kind` field, with the warning they trigger.
    KIND_ALIASES: ClassVar[dict[str, str]] = {}

    api_version: str
    kind: str
    metadata: Metadata
    spec: Any
    status: Any = None

    @model_validator(mode="after")
    def _check_envelope(self) -> Manifest:
        version = self.api_version.strip()
        if version in LEGACY_API_VERSIONS:
            self.note(f"apiVersion {version} accepted and treated as {API_VERSION}", "apiVersion")
            version = API_VERSION
        elif version != API_VERSION:
            raise rule_error(
                f"expected {API_VERSION} (or {', '.join(LEGACY_API_VERSIONS)}); got {version!r}",
                "apiVersion",
            )
        self.api_version = version
        kind = self.kind.strip()
        if kind != self.KIND:
            if kind in self.KIND_ALIASES:
                self.note(self.KIND_ALIASES[kind], "kind")
            else:
                self.note(f"kind {kind!r} read as {self.KIND!r}", "kind")
        self.kind = self.KIND
        return self
