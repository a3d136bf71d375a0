"""Where smarter-tui keeps its data: one directory, `SMARTER_TUI_HOME` or the platform default."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "smarter-tui"
HOME_ENV = "SMARTER_TUI_HOME"
#: A postgresql:// URL here (or --database-url) puts every command on a PostgreSQL server.
DATABASE_URL_ENV = "DATABASE_URL"
#: The keyring secret holding the PostgreSQL password when the URL has none.
DATABASE_SECRET = "database"


def data_dir(create: bool = True) -> Path:
    """Return the data directory (created unless `create` is False)."""
    override = os.environ.get(HOME_ENV)
    if override:
        path = Path(override).expanduser()
    else:
        import platformdirs  # deferred: only needed when no override is set

        path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir(create: bool = False) -> Path:
    """Return the directory of the settings file: `SMARTER_TUI_HOME` or the platform config dir.

    With the override set, settings live beside the data (one directory keeps a test or a
    portable install self-contained); otherwise in e.g. ~/.config/smarter-tui on Linux.
    """
    override = os.environ.get(HOME_ENV)
    if override:
        path = Path(override).expanduser()
    else:
        import platformdirs  # deferred: only needed when no override is set

        path = Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    """Return the directory of caches the app can rebuild: `SMARTER_TUI_HOME`/cache or the
    platform cache dir (e.g. ~/.cache/smarter-tui on Linux). Not created here."""
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override).expanduser() / "cache"
    import platformdirs  # deferred: only needed when no override is set

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def settings_path() -> Path:
    """Return the settings file (TOML) inside the config directory; it may not exist."""
    return config_dir() / "settings.toml"


def database_path() -> Path:
    """Return the SQLite database file inside the data directory."""
    return data_dir() / "smarter.sqlite3"


def database_target(url: str | None = None) -> Path | str:
    """Return where the data lives: `url`, else $DATABASE_URL, else the SQLite file."""
    return url or os.environ.get(DATABASE_URL_ENV) or database_path()


def assets_dir() -> Path:
    """Return the bundled assets directory, from a wheel (`_assets`) or a source checkout."""
    # The package's own directory, as `importlib.resources.files` gives it for an installed
    # (on-disk) package, without importing it: ~4 ms of a first start-up, which seeds from here.
    package = Path(__file__).resolve().parents[1]
    packaged = package / "_assets"
    if packaged.is_dir():
        return packaged
    return package.parent / "assets"
