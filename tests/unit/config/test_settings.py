"""The settings file: documented keys, one clear line per problem, comments kept when the app saves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from smarter_tui.config.paths import settings_path
from smarter_tui.config.settings import PaneSettings, Settings, SettingsStore, documented_keys, parse_settings

ROOT = Path(__file__).resolve().parents[3]


def test_a_missing_file_means_the_defaults(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "settings.toml")
    assert store.load() == Settings() and store.problems == []


def test_settings_live_under_smarter_tui_home(isolated_home: Path) -> None:
    assert settings_path() == isolated_home / "settings.toml"


def test_every_key_is_read() -> None:
    text = (
        'theme = "nord"\nreopen_last_session = false\nlast_client = "shop_assistant"\n'
        'last_session = "ab12cd"\n[panes]\nclients = false\nclients_width = 40\nplugins = true\n'
        'plugins_width = 60\n[keys]\nnew_session = "ctrl+t"\ncopy_answer = "f7,ctrl+y"\n'
    )
    settings, problems = parse_settings(text)
    assert problems == []
    assert settings == Settings(
        theme="nord",
        reopen_last_session=False,
        last_client="shop_assistant",
        last_session="ab12cd",
        panes=PaneSettings(clients=False, clients_width=40, plugins=True, plugins_width=60),
        keys={"new_session": "ctrl+t", "copy_answer": "f7,ctrl+y"},
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("theme = 3", "settings.toml: theme: expected a string, got 3; using the default 'textual-dark'"),
        (
            "[panes]\nclients_width = 5",
            "settings.toml: panes.clients_width: must be between 16 and 60, got 5; using the default 30",
        ),
        (
            "[panes]\nplugins = 'yes'",
            "settings.toml: panes.plugins: expected true or false, got 'yes'; using the default False",
        ),
        (
            "[panes]\nclients_width = true",
            "settings.toml: panes.clients_width: expected an integer, got True",
        ),
        ("panes = 3", "settings.toml: panes: expected a table ([panes]), got 3"),
        ("colour = 'red'", "settings.toml: colour: unknown setting (ignored)"),
        ("[keys]\nnew_session = 1", "settings.toml: keys: every value must be a key string"),
    ],
)
def test_a_bad_key_is_one_line_and_takes_its_default(text: str, problem: str) -> None:
    settings, problems = parse_settings(text)
    assert len(problems) == 1 and problems[0].startswith(problem), problems
    assert "\n" not in problems[0]
    defaults = Settings()
    assert settings.panes == defaults.panes or "clients_width" not in text


def test_other_keys_survive_a_bad_one() -> None:
    settings, problems = parse_settings('theme = "nord"\n[panes]\nclients_width = "wide"\nplugins = true\n')
    assert settings.theme == "nord" and settings.panes.plugins is True
    assert settings.panes.clients_width == 30 and len(problems) == 1


def test_a_file_that_is_not_toml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('theme = "nord"\n[panes\nclients = false\n')
    store = SettingsStore(path)
    assert store.load() == Settings()
    (problem,) = store.problems
    assert problem.startswith(f"{path}: not valid TOML: ") and "line 2" in problem
    assert problem.endswith("using the default settings")


def test_save_creates_the_file_and_keeps_the_users_comments(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "settings.toml"
    store = SettingsStore(path)
    assert store.save({"panes.plugins": True, "last_client": "shop_assistant"})
    assert store.load().panes.plugins is True and store.load().last_client == "shop_assistant"
    path.write_text(path.read_text() + '\n# my own binding\n[keys]\nnew_session = "ctrl+t"  # not ctrl+n\n')
    assert store.save({"theme": "nord", "panes.clients_width": 40})
    text = path.read_text()
    assert "# my own binding" in text and "# not ctrl+n" in text
    loaded = store.load()
    assert (loaded.theme, loaded.panes.clients_width, loaded.keys) == ("nord", 40, {"new_session": "ctrl+t"})
    assert store.problems == [] and not list(path.parent.glob("*.tmp"))


def test_save_never_overwrites_a_file_with_a_typo(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("theme = \n")
    assert SettingsStore(path).save({"theme": "nord"}) is False
    assert path.read_text() == "theme = \n"


def test_every_setting_is_documented_and_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    keys = documented_keys()
    assert {k for k, _, _ in keys} >= {"theme", "panes.clients", "panes.plugins_width", "keys", "last_client"}
    for key, _default, doc in keys:
        assert len(doc) > 20, key
        assert f"`{key}`" in readme, f"README does not document {key}"


def test_reading_settings_does_not_import_tomlkit_or_pydantic(tmp_path: Path) -> None:
    """Settings are read at start-up: only the standard library's tomllib may be loaded."""
    path = tmp_path / "settings.toml"
    path.write_text('theme = "nord"\n')
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from smarter_tui.config.settings import SettingsStore\n"
        f"assert SettingsStore(Path({str(path)!r})).load().theme == 'nord'\n"
        "print(sorted(m for m in ('tomlkit', 'pydantic', 'yaml') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
