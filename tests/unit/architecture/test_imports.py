"""Architecture rules: import-linter contracts, and a core that never loads the UI library."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run_fresh(code: str) -> None:
    """Run `code` in a new interpreter (nothing imported yet) from the project root; it must pass."""
    command = [sys.executable, "-c", code]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_linter_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_core_and_cli_import_neither_textual_nor_the_ui() -> None:
    code = (
        "import sys\n"
        "import smarter_tui.services, smarter_tui.cli.main, smarter_tui.orchestration\n"
        "import smarter_tui.storage, smarter_tui.plugins, smarter_tui.providers, smarter_tui.manifests\n"
        "bad = sorted(m for m in sys.modules\n"
        "             if m.split('.')[0] == 'textual' or m.startswith('smarter_tui.ui'))\n"
        "lazy = sorted(m for m in ('openai', 'httpx', 'fastapi', 'uvicorn', 'starlette', 'psycopg')\n"
        "              if m in sys.modules)\n"
        "print(bad, lazy)\n"
        "assert not bad, bad\n"
        "assert not lazy, lazy\n"
    )
    run_fresh(code)


def test_postgresql_driver_comes_with_the_first_postgresql_database() -> None:
    # peewee alone would import psycopg (~200 ms of every start-up); storage defers it.
    code = (
        "import sys\n"
        "from smarter_tui.storage.database import _postgres\n"
        "assert 'psycopg' not in sys.modules\n"
        "db = _postgres('postgresql://nobody@127.0.0.1:9/none', None)\n"
        "assert 'psycopg' in sys.modules\n"
        "import psycopg\n"
        "assert db._adapter.get_binary_type() is psycopg.Binary\n"
        "assert db._adapter.txn_idle == psycopg.pq.TransactionStatus.IDLE\n"
    )
    run_fresh(code)


def test_tui_start_up_path_loads_no_server_stack_and_nothing_shown_later() -> None:
    # What `smarter-tui` (no command) imports before the app runs: the entry point and the app module.
    code = (
        "import sys\n"
        "import smarter_tui.__main__, smarter_tui.ui.app, smarter_tui.services\n"
        "heavy = sorted(m for m in ('fastapi', 'uvicorn', 'starlette') if m in sys.modules)\n"
        "server = sorted(m for m in sys.modules if m.startswith('smarter_tui.server'))\n"
        "assert not heavy and not server, (heavy, server)\n"
        "# Markdown (markdown-it) comes after the first paint: see WelcomeCard.\n"
        "markdown = sorted(m for m in ('textual.widgets._markdown', 'markdown_it')\n"
        "                  if m in sys.modules)\n"
        "assert not markdown, markdown\n"
        "# Highlighting (pygments) comes with the first plugin pane that shows code.\n"
        "syntax = sorted(m for m in ('rich.syntax', 'pygments') if m in sys.modules)\n"
        "assert not syntax, syntax\n"
        "# The plugin pane's body (DataTable) comes with its first show, tool cards (Collapsible)\n"
        "# with the warm-up after the first paint.\n"
        "later = ('textual.widgets._data_table', 'textual.widgets._collapsible',\n"
        "         'smarter_tui.ui.widgets.plugin_pane_body', 'smarter_tui.ui.widgets.tool_card')\n"
        "early = sorted(m for m in later if m in sys.modules)\n"
        "assert not early, early\n"
    )
    run_fresh(code)


def test_tui_start_up_path_leaves_authoring_until_it_is_used(tmp_path: Path) -> None:
    # Opening the services and listing the clients (as the app does at start-up) imports neither
    # the authoring service nor its YAML editing (ruamel.yaml); asking for the service does.
    code = (
        "import sys\n"
        "import smarter_tui.__main__, smarter_tui.ui.app\n"
        "from smarter_tui.services import Services\n"
        "from smarter_tui.config.secrets import SecretStore\n"
        "from tests.support.memory_keyring import MemoryKeyring\n"
        f"services = Services.open({str(tmp_path / 'db.sqlite3')!r}, secrets=SecretStore(MemoryKeyring()))\n"
        "services.clients()\n"
        "lazy = ('smarter_tui.services.authoring', 'smarter_tui.services.yaml_edit', 'ruamel.yaml')\n"
        "early = sorted(m for m in lazy if m in sys.modules)\n"
        "assert not early, early\n"
        "assert services.authoring is services.authoring\n"
        "assert 'smarter_tui.services.authoring' in sys.modules\n"
        "services.close()\n"
    )
    run_fresh(code)


def test_tui_start_up_path_leaves_the_turn_machinery_to_warm_up(tmp_path: Path) -> None:
    # What the app does before it is usable (open, then `opening`: the clients, the launch target) imports
    # neither the loop, the plugins nor the offline demo; the warm-up after the first paint does,
    # so the first prompt does not wait for them.
    code = (
        "import sys\n"
        "import smarter_tui.__main__, smarter_tui.ui.app\n"
        "from smarter_tui.services import Services\n"
        "from smarter_tui.config.secrets import SecretStore\n"
        "from smarter_tui.domain.launch import LaunchRequest\n"
        "from tests.support.memory_keyring import MemoryKeyring\n"
        f"services = Services.open({str(tmp_path / 'db.sqlite3')!r}, secrets=SecretStore(MemoryKeyring()))\n"
        "services.opening(LaunchRequest())  # what the early thread reads (see __main__)\n"
        "turn = ('smarter_tui.orchestration.loop', 'smarter_tui.plugins', 'smarter_tui.providers.offline')\n"
        "early = sorted(m for m in turn if m in sys.modules)\n"
        "assert not early, early\n"
        "services.warm_up('general_assistant')\n"
        "missing = sorted(m for m in turn if m not in sys.modules)\n"
        "assert not missing, missing\n"
        "services.close()\n"
    )
    run_fresh(code)


def test_bundled_examples_ship_in_the_wheel(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    import zipfile

    (wheel,) = tmp_path.glob("smarter_tui-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "smarter_tui/_assets/manifests/general_assistant.yaml" in names
    assert "smarter_tui/_assets/data/catalogue.sqlite3" in names


def test_the_app_spawns_the_model_worker_before_it_imports_textual_or_the_services() -> None:
    # The worker's import of the SDK takes longer than the app's start-up: spawned after Textual
    # and the services (~360 ms in), a prompt sent 0.3 s after the chat was usable waited ~540 ms
    # for it (benchmarks/tui_first_request.py).
    code = (
        "import os, subprocess, sys\n"
        "real = subprocess.Popen\n"
        "def spy(args, *rest, **options):\n"
        "    if 'smarter_tui.providers.worker' in args:\n"
        "        heavy = ('textual', 'smarter_tui.services', 'smarter_tui.ui')\n"
        "        loaded = [m for m in heavy if m in sys.modules]\n"
        "        print('loaded before the worker:', loaded, flush=True)\n"
        "        os._exit(3 if loaded else 0)\n"
        "    return real(args, *rest, **options)\n"
        "subprocess.Popen = spy\n"
        "from smarter_tui.__main__ import main\n"
        "main([])\n"
        "sys.exit(4)  # the app ran without spawning a worker\n"
    )
    run_fresh(code)
