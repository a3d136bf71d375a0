"""Connection manifests: SqlConnection (a database) and ApiConnection (an HTTP base URL + auth)."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from .base import LowerStr, Manifest, ManifestModel, rule_error
from .checks import base_url_problem
from .problems import shown

#: Accepted spellings of `dbEngine` and the engine each one means.
DB_ENGINES: dict[str, str] = {
    "django.db.backends.sqlite3": "sqlite",
    "django.db.backends.postgresql": "postgresql",
    "django.db.backends.postgresql_psycopg2": "postgresql",
    "django.db.backends.mysql": "mysql",
    "sqlite3": "sqlite",
    "sqlite": "sqlite",
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "mysql": "mysql",
}


def check_http_url(owner: ManifestModel, value: str, *subpath: str | int) -> str:
    """Return `value` stripped when it is an http(s) URL with a host; raise a rule error otherwise."""
    url = value.strip(" \t\r\n")  # not str.strip(): it would also drop C1 controls such as U+0085
    problem = base_url_problem(url)
    if problem:
        raise rule_error(f"{problem}; got {shown(value)}", *subpath)
    return url


class SqlConnectionSettings(ManifestModel):
    """`spec.connection` of a SqlConnection."""

    db_engine: str
    database: str
    hostname: str | None = None
    port: int | None = Field(None, gt=0, lt=65536)
    username: str | None = None
    password: str | None = None
    timeout: float = Field(30, gt=0)

    @model_validator(mode="after")
    def _check(self) -> SqlConnectionSettings:
        engine = DB_ENGINES.get(self.db_engine.strip().lower())
        if engine is None:
            raise rule_error(f"expected one of {', '.join(DB_ENGINES)}; got {self.db_engine!r}", "dbEngine")
        if engine != self.db_engine:
            self.note(f"dbEngine {self.db_engine!r} stored as {engine!r}", "dbEngine")
        self.db_engine = engine
        if not self.database.strip():
            raise rule_error("expected a database file path or name; got ''", "database")
        if engine != "sqlite" and not (self.hostname or "").strip():
            raise rule_error(f"a hostname is required for {engine}", "hostname")
        if self.password is not None:
            self.password = self.checked_secret_name(
                self.password, "password", what="Secret name (not the password itself)"
            )
        if isinstance(self.timeout, float) and self.timeout.is_integer():
            self.timeout = int(self.timeout)
        return self


class SqlConnectionSpec(ManifestModel):
    """`spec` of a SqlConnection."""

    connection: SqlConnectionSettings


class SqlConnectionManifest(Manifest):
    """kind SqlConnection."""

    KIND: ClassVar[str] = "SqlConnection"

    spec: SqlConnectionSpec


class ApiConnectionSettings(ManifestModel):
    """`spec.connection` of an ApiConnection."""

    base_url: str
    auth_method: Annotated[Literal["none", "basic", "token"], LowerStr] = "none"
    api_key: str | None = None
    timeout: float = Field(30, gt=0)

    @model_validator(mode="after")
    def _check(self) -> ApiConnectionSettings:
        self.base_url = check_http_url(self, self.base_url, "baseUrl")
        if self.api_key is not None:
            self.api_key = self.checked_secret_name(
                self.api_key, "apiKey", what="Secret name (not the key itself)"
            )
        if self.auth_method != "none" and not self.api_key:
            raise rule_error(f"authMethod {self.auth_method} needs apiKey (the name of a Secret)", "apiKey")
        if isinstance(self.timeout, float) and self.timeout.is_integer():
            self.timeout = int(self.timeout)
        return self


class ApiConnectionSpec(ManifestModel):
    """`spec` of an ApiConnection."""

    connection: ApiConnectionSettings


class ApiConnectionManifest(Manifest):
    """kind ApiConnection."""

    KIND: ClassVar[str] = "ApiConnection"

    spec: ApiConnectionSpec
