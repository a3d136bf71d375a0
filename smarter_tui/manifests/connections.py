"""Connection manifests: SqlConnection (a database) and ApiConnection (an HTTP base URL + auth).

Every field of the Smarter models is declared (pool, SSL, SSH and proxy settings too): they are
validated and kept as given, even where they have no local effect.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, field_validator, model_validator

from .base import Manifest, ManifestModel, rule_error
from .checks import base_url_problem
from .engines import DB_ENGINES, engine_of
from .problems import shown

API_AUTH_METHODS = ("none", "basic", "token")


def check_timeout(timeout: float | None) -> None:
    """Raise a rule error unless `timeout` (seconds) is null or a number above 0."""
    if timeout is not None and (isinstance(timeout, bool) or timeout <= 0):
        raise rule_error(f"expected a number of seconds above 0; got {timeout!r}", "timeout")


def check_http_url(owner: ManifestModel, value: str, *subpath: str | int) -> str:
    """Return `value` stripped when it is an http(s) URL with a host; raise a rule error otherwise."""
    url = value.strip(" \t\r\n")  # not str.strip(): it would also drop C1 controls such as U+0085
    problem = base_url_problem(url)
    if problem:
        raise rule_error(f"{problem}; got {shown(value)}", *subpath)
    return url


class SqlConnectionSettings(ManifestModel):
    """`spec.connection` of a SqlConnection (Smarter's fields; dbEngine and paths kept as given)."""

    KEEP_NONE: ClassVar[frozenset[str]] = frozenset()

    db_engine: str
    database: str
    # Smarter's model requires the key (a string): "" stands for "no host" (SQLite).
    hostname: str = ""
    port: int | None = Field(None, gt=0, lt=65536)
    username: str | None = None
    password: str | None = None
    timeout: int | float | None = 30
    authentication_method: str | None = None
    pool_size: int | None = Field(None, ge=0)
    max_overflow: int | None = Field(None, ge=0)
    use_ssl: bool | None = None
    ssl_ca: str | None = None
    ssl_cert: str | None = None
    ssl_key: str | None = None
    ssh_known_hosts: str | None = None
    proxy_host: str | None = None
    proxy_port: int | None = Field(None, gt=0, lt=65536)
    proxy_username: str | None = None
    proxy_password: str | None = None

    @field_validator("hostname", mode="before")
    @classmethod
    def _no_host(cls, value: Any) -> Any:
        return "" if value is None else value

    @model_validator(mode="after")
    def _check(self) -> SqlConnectionSettings:
        engine = engine_of(self.db_engine)
        if engine is None:
            raise rule_error(f"expected one of {', '.join(DB_ENGINES)}; got {self.db_engine!r}", "dbEngine")
        check_timeout(self.timeout)
        if not self.database.strip():
            raise rule_error("expected a database file path or name; got ''", "database")
        self.hostname = self.hostname.strip()
        if engine != "sqlite" and not self.hostname:
            raise rule_error(f"a hostname is required for {engine}", "hostname")
        if self.password is not None:
            self.password = self.checked_secret_name(
                self.password, "password", what="Secret name (not the password itself)"
            )
        if self.proxy_password is not None:
            self.proxy_password = self.checked_secret_name(
                self.proxy_password, "proxyPassword", what="Secret name (not the password itself)"
            )
        return self


class SqlConnectionSpec(ManifestModel):
    """`spec` of a SqlConnection."""

    connection: SqlConnectionSettings


class SqlConnectionManifest(Manifest):
    """kind SqlConnection."""

    KIND: ClassVar[str] = "SqlConnection"

    spec: SqlConnectionSpec


class ApiConnectionSettings(ManifestModel):
    """`spec.connection` of an ApiConnection (Smarter's fields, proxy settings included)."""

    base_url: str
    auth_method: str = "none"
    api_key: str | None = None
    timeout: int | float | None = 30
    proxy_host: str | None = None
    proxy_port: int | None = Field(None, gt=0, lt=65536)
    proxy_protocol: str | None = None
    proxy_username: str | None = None
    proxy_password: str | None = None

    @model_validator(mode="after")
    def _check(self) -> ApiConnectionSettings:
        self.base_url = check_http_url(self, self.base_url, "baseUrl")
        check_timeout(self.timeout)
        method = self.auth_method.strip().lower()
        if method not in API_AUTH_METHODS:
            raise rule_error(
                f"expected one of {', '.join(API_AUTH_METHODS)}; got {self.auth_method!r}", "authMethod"
            )
        if self.api_key is not None:
            self.api_key = self.checked_secret_name(
                self.api_key, "apiKey", what="Secret name (not the key itself)"
            )
        if method != "none" and not self.api_key:
            raise rule_error(f"authMethod {method} needs apiKey (the name of a Secret)", "apiKey")
        if self.proxy_password is not None:
            self.proxy_password = self.checked_secret_name(
                self.proxy_password, "proxyPassword", what="Secret name (not the password itself)"
            )
        return self


class ApiConnectionSpec(ManifestModel):
    """`spec` of an ApiConnection."""

    connection: ApiConnectionSettings


class ApiConnectionManifest(Manifest):
    """kind ApiConnection."""

    KIND: ClassVar[str] = "ApiConnection"

    spec: ApiConnectionSpec
