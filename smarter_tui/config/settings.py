"""User settings kept across restarts: `settings.toml` in the config directory, every key documented.

The file is the user's: they may edit it (comments and order are kept when the app writes to it)
and the app updates a few keys itself (theme, pane visibility, last client and session). Reading
uses the standard library's `tomllib` (cheap, so it can happen while Textual imports); writing
uses tomlkit, imported only when something is saved, because it preserves the user's comments.

A bad file never stops the app: each problem becomes one line naming the file and key (or line),
and the default is used for that key (for the whole file when it is not valid TOML).
"""

from __future__ import annotations

import dataclasses
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smarter_tui.config.paths import settings_path
from smarter_tui.domain.launch import LaunchRequest

DOC = "doc"
RANGE = "range"


def setting(default: Any, doc: str, *, low: int | None = None, high: int | None = None) -> Any:
    """Return a dataclass field with its documentation (and for integers an allowed range)."""
    metadata: dict[str, Any] = {DOC: doc}
    if low is not None and high is not None:
        metadata[RANGE] = (low, high)
    if isinstance(default, dict):
        return field(default_factory=lambda: dict(default), metadata=metadata)
    return field(default=default, metadata=metadata)


def table(cls: type[Any], doc: str) -> Any:
    """Return a dataclass field holding a nested table of settings."""
    return field(default_factory=cls, metadata={DOC: doc})


@dataclass(slots=True)
class PaneSettings:
    """Which panes the main screen shows, and how wide they are."""

    clients: bool = setting(
        True, "Show the client list on the left. F6 toggles it; the app saves the choice."
    )
    clients_width: int = setting(30, "Width of the client list, in columns (16 to 60).", low=16, high=60)
    plugins: bool = setting(
        False, "Show the plugin pane on the right at start-up. F4 toggles it; the app saves the choice."
    )
    plugins_width: int = setting(46, "Width of the plugin pane, in columns (30 to 90).", low=30, high=90)


@dataclass(slots=True)
class Settings:
    """Everything `settings.toml` can hold; a key left out takes the default shown here."""

    theme: str = setting(
        "textual-dark",
        "The colour theme: any name the command palette's 'Change theme' lists (e.g. nord, "
        "gruvbox, textual-light). Choosing one there saves it here.",
    )
    reopen_last_session: bool = setting(
        True,
        "At start-up, reopen the session shown when the app last closed (false: start a new chat "
        "with the last client). `--client` and `--session` override it.",
    )
    last_client: str = setting(
        "", "The client of the last chat; written by the app. Used when `--client` is not given."
    )
    last_session: str = setting(
        "", "The key of the last session shown; written by the app. Reopened at start-up (see above)."
    )
    panes: PaneSettings = table(PaneSettings, "Pane visibility and widths.")
    keys: dict[str, str] = setting(
        {},
        'Key bindings by action name (see Key bindings), e.g. `new_session = "ctrl+b"`; several keys '
        'separated by commas (`copy_answer = "f7,ctrl+y"`).',
    )

    def launch_request(self, launch: LaunchRequest) -> LaunchRequest:
        """Return `launch` (the flags) with what these settings remember of the last chat."""
        return dataclasses.replace(
            launch,
            last_client=self.last_client,
            last_session=self.last_session,
            reopen_last_session=self.reopen_last_session,
        )


def field_doc(cls: type[Any], name: str) -> str:
    """Return the documentation of one settings field."""
    for item in dataclasses.fields(cls):
        if item.name == name:
            return str(item.metadata.get(DOC, ""))
    raise KeyError(name)


def documented_keys(cls: type[Any] = Settings, prefix: str = "") -> list[tuple[str, Any, str]]:
    """Return (dotted key, default, documentation) for every setting, nested tables included."""
    keys: list[tuple[str, Any, str]] = []
    defaults = cls()
    for item in dataclasses.fields(cls):
        value = getattr(defaults, item.name)
        if dataclasses.is_dataclass(value):
            keys.extend(documented_keys(type(value), f"{prefix}{item.name}."))
        else:
            keys.append((prefix + item.name, value, str(item.metadata.get(DOC, ""))))
    return keys


def _type_name(value: Any) -> str:
    return {bool: "true or false", int: "an integer", str: "a string", dict: "a table"}.get(
        type(value), type(value).__name__
    )


def _check(item: dataclasses.Field[Any], default: Any, value: Any) -> str | None:
    """Return why `value` is not acceptable for the field, or None when it is."""
    # bool is an int in Python, so compare exact types (true is not a width).
    if type(value) is not type(default):
        return f"expected {_type_name(default)}, got {value!r}"
    if isinstance(value, int) and RANGE in item.metadata:
        low, high = item.metadata[RANGE]
        if not low <= value <= high:
            return f"must be between {low} and {high}, got {value}"
    if isinstance(value, dict):
        bad = [k for k, v in value.items() if not isinstance(v, str) or not v.strip()]
        if bad:
            return f'every value must be a key string such as "ctrl+t" (not for {", ".join(bad)})'
    return None


def _build(cls: type[Any], data: dict[str, Any], where: str, problems: list[str]) -> Any:
    """Return an instance of `cls` from `data`, adding one line to `problems` per bad key."""
    defaults = cls()
    known = {item.name: item for item in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for name, value in data.items():
        item = known.get(name)
        if item is None:
            problems.append(f"{where}{name}: unknown setting (ignored)")
            continue
        default = getattr(defaults, name)
        if dataclasses.is_dataclass(default):
            if not isinstance(value, dict):
                problems.append(f"{where}{name}: expected a table ([{where}{name}]), got {value!r}")
                continue
            values[name] = _build(type(default), value, f"{where}{name}.", problems)
            continue
        why = _check(item, default, value)
        if why:
            problems.append(f"{where}{name}: {why}; using the default {default!r}")
            continue
        values[name] = value
    return cls(**values)


def parse_settings(text: str, label: str = "settings.toml") -> tuple[Settings, list[str]]:
    """Return the settings a TOML text describes and one line per problem (defaults stand in)."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message ends with "(at line N, column M)": keep it, it is the useful part.
        return Settings(), [f"{label}: not valid TOML: {exc}; using the default settings"]
    problems: list[str] = []
    settings = _build(Settings, data, "", problems)
    return settings, [f"{label}: {p}" for p in problems]


class SettingsStore:
    """Reads and updates one settings file; safe to call from several threads."""

    _lock = threading.Lock()  # one writer at a time across every store of the process

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or settings_path()
        self.problems: list[str] = []
        self._loaded: Settings | None = None

    def current(self) -> Settings:
        """Return the settings read by the first call (the file is read once per store)."""
        if self._loaded is None:
            self._loaded = self.load()
        return self._loaded

    def load(self) -> Settings:
        """Return the settings (defaults when the file is missing); problems go to `self.problems`."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.problems = []
            return Settings()
        except (OSError, UnicodeDecodeError) as exc:
            self.problems = [f"{self.path}: cannot be read ({exc}); using the default settings"]
            return Settings()
        settings, self.problems = parse_settings(text, str(self.path))
        return settings

    def save(self, changes: dict[str, Any]) -> bool:
        """Set dotted keys (`"panes.plugins": True`) in the file, keeping everything else as written.

        Creates the file (with a header pointing at the documentation) when it is missing. A file
        that is not valid TOML is left alone, so a typo of the user's is never overwritten; returns
        False then, True when the file was written.
        """
        import tomlkit
        from tomlkit.exceptions import TOMLKitError

        with self._lock:
            try:
                document = tomlkit.parse(self.path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                document = tomlkit.document()
                document.add(tomlkit.comment("smarter-tui settings: every key is described in the README."))
                document.add(tomlkit.comment("Keys left out take their defaults; the app updates a few."))
            except (OSError, UnicodeDecodeError, TOMLKitError):
                return False
            for dotted, value in changes.items():
                *tables, name = dotted.split(".")
                target: Any = document
                for part in tables:
                    if part not in target:
                        target[part] = tomlkit.table()
                    target = target[part]
                target[name] = value
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(self.path.name + ".tmp")
            temporary.write_text(tomlkit.dumps(document), encoding="utf-8")
            os.replace(temporary, self.path)  # a crash mid-write never leaves half a file
            return True
