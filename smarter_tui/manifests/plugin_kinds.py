"""Plugin manifests: static Plugin, SqlPlugin and ApiPlugin, with their shared parts (SPEC §2.2-2.5)."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field, field_validator, model_validator

from .base import (
    Manifest,
    ManifestModel,
    Metadata,
    StrList,
    _none_to_list,
    listed,
    one_of,
    rule_error,
)
from .checks import sql_query_problem
from .sql import quoted_placeholders, sql_placeholders

PARAMETER_TYPES = ("string", "number", "integer", "boolean", "object", "array", "null")
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
SQL_ROW_CAP = 1000


PLUGIN_CLASSES = ("static", "sql", "api")
DIRECTIVES = ("search_terms", "always", "llm")


class PluginMetadata(Metadata):
    """`metadata` of a plugin: adds the required `pluginClass` (any case, kept as written)."""

    plugin_class: Annotated[str, one_of(*PLUGIN_CLASSES), listed(*PLUGIN_CLASSES)]


class Selector(ManifestModel):
    """`spec.selector`: when the plugin is offered to the model (SPEC §3).

    The directive is accepted in any case and kept as written; the rules read its canonical form.
    """

    directive: Annotated[str, one_of(*DIRECTIVES), listed(*DIRECTIVES)]
    search_terms: StrList = []

    @model_validator(mode="after")
    def _check(self) -> Selector:
        terms = [term.strip() for term in self.search_terms if term.strip()]
        directive = self.directive.strip().lower()
        if directive == "search_terms" and not terms:
            raise rule_error("directive search_terms needs a non-empty list of search terms", "searchTerms")
        if directive != "search_terms" and terms:
            self.note(f"searchTerms are not used with directive {self.directive!r}", "searchTerms")
        self.search_terms = terms
        return self


class PluginPrompt(ManifestModel):
    """`spec.prompt`: overrides applied while the plugin is selected (null: the client's own)."""

    provider: str | None = None
    # Smarter's model requires systemRole (a string): "" stands for "nothing to add".
    system_role: str = ""
    model: str | None = None
    temperature: float | None = Field(None, ge=0, le=2)
    max_tokens: int | None = Field(None, gt=0)

    @field_validator("system_role", mode="before")
    @classmethod
    def _no_role(cls, value: Any) -> Any:
        return "" if value is None else value

    @model_validator(mode="after")
    def _check(self) -> PluginPrompt:
        if self.provider is not None:
            self.provider = self.checked_name(self.provider, "provider", what="provider name")
        return self


_TYPE_CHECKS: dict[str, Any] = {
    "string": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}


class Parameter(ManifestModel):
    """One argument the model passes to a sql/api plugin."""

    name: str
    type: Annotated[str, one_of(*PARAMETER_TYPES), listed(*PARAMETER_TYPES)]
    description: str | None = None
    required: bool = False
    enum: list[Any] | None = None
    default: Any = None

    @model_validator(mode="after")
    def _check(self) -> Parameter:
        self.name = self.name.strip()
        if not self.name.isidentifier():
            raise rule_error(f"expected an identifier (letters, digits, '_'); got {self.name!r}", "name")
        if self.default is not None:
            if not _TYPE_CHECKS[self.type.strip().lower()](self.default):
                # Smarter's model takes any default; the model is told the value as written.
                self.note(f"default {self.default!r} kept, but it is not of type {self.type}", "default")
            if self.enum is not None and self.default not in self.enum:
                raise rule_error(
                    f"default {self.default!r} is not one of the enum values {self.enum!r}",
                    "default",
                )
        return self


class TestValue(ManifestModel):
    """A sample argument for "try it": `{name, value}`."""

    __test__ = False  # not a pytest test class

    name: str
    value: Any = None


ParameterList = Annotated[list[Parameter], BeforeValidator(_none_to_list)]
TestValueList = Annotated[list[TestValue], BeforeValidator(_none_to_list)]


class ParameterisedData(ManifestModel):
    """What sqlData and apiData share: parameters, test values, a row/item limit."""

    description: str | None = None
    parameters: ParameterList = []
    test_values: TestValueList = []
    limit: Annotated[int, BeforeValidator(lambda v: 100 if v is None else v)] = Field(100, gt=0)

    def check_parameters(self) -> set[str]:
        """Check names are unique and test values refer to parameters; return the names."""
        names: set[str] = set()
        for index, parameter in enumerate(self.parameters):
            if parameter.name in names:
                raise rule_error(f"duplicate parameter {parameter.name!r}", "parameters", index)
            names.add(parameter.name)
        for index, test in enumerate(self.test_values):
            if test.name not in names:
                raise rule_error(
                    f"{test.name!r} is not a declared parameter"
                    f" (declared: {', '.join(sorted(names)) or 'none'})",
                    "testValues",
                    index,
                    "name",
                )
        return names


class StaticData(ManifestModel):
    """`spec.data` of a static plugin: the tool description and the data it answers from."""

    description: str | None = None
    static_data: Any

    @model_validator(mode="after")
    def _check(self) -> StaticData:
        if not isinstance(self.static_data, dict | list):
            raise rule_error(
                f"expected a mapping or a list; got {type(self.static_data).__name__}",
                "staticData",
            )
        return self


class SqlData(ParameterisedData):
    """`spec.sqlData`: the query, its parameters and the row limit."""

    sql_query: str

    @model_validator(mode="after")
    def _check(self) -> SqlData:
        names = self.check_parameters()
        if not self.sql_query.strip():
            raise rule_error("the query is empty", "sqlQuery")
        problem = sql_query_problem(self.sql_query)
        if problem:
            raise rule_error(problem, "sqlQuery")
        undeclared = [name for name in sql_placeholders(self.sql_query) if name not in names]
        if undeclared:
            raise rule_error(
                "placeholder(s) "
                + ", ".join("{" + name + "}" for name in undeclared)
                + f" not declared in parameters (declared: {', '.join(sorted(names)) or 'none'})",
                "sqlQuery",
            )
        for name, literal in quoted_placeholders(self.sql_query):
            self.note(
                f"placeholder {{{name}}} is written inside quotes ({literal}); it is bound as a "
                "query parameter (the quotes become string concatenation), never pasted into the SQL",
                "sqlQuery",
            )
        if self.limit > SQL_ROW_CAP:
            self.note(f"limit {self.limit} kept, but at most {SQL_ROW_CAP} rows are returned", "limit")
        return self


class UrlParam(ManifestModel):
    """A fixed query parameter of an API plugin."""

    key: str
    value: Any = None


class Header(ManifestModel):
    """A fixed HTTP header of an API plugin; the value is kept as written (a number stays a number)."""

    name: str
    value: str | bool | int | float


class ApiData(ParameterisedData):
    """`spec.apiData`: endpoint, method, fixed params/headers/body, arguments, limit."""

    endpoint: str
    method: Annotated[str, one_of(*HTTP_METHODS), listed(*HTTP_METHODS)] = "GET"
    url_params: Annotated[list[UrlParam], BeforeValidator(_none_to_list)] = []
    headers: Annotated[list[Header], BeforeValidator(_none_to_list)] = []
    body: Any = None

    @model_validator(mode="after")
    def _check(self) -> ApiData:
        names = self.check_parameters()
        endpoint = self.endpoint.strip()
        if not endpoint.startswith("/"):
            raise rule_error(f"expected a path starting with '/'; got {endpoint!r}", "endpoint")
        if "?" in endpoint or "#" in endpoint:
            raise rule_error(
                f"expected a path without '?' or '#' (use urlParams); got {endpoint!r}", "endpoint"
            )
        if not endpoint.endswith("/"):
            self.note(f"trailing '/' added: {endpoint + '/'!r}", "endpoint")
            endpoint += "/"
        self.endpoint = endpoint
        undeclared = [name for name in sql_placeholders(endpoint) if name not in names]
        if undeclared:
            raise rule_error(
                "path parameter(s) "
                + ", ".join("{" + name + "}" for name in undeclared)
                + f" not declared in parameters (declared: {', '.join(sorted(names)) or 'none'})",
                "endpoint",
            )
        if self.body is not None and not isinstance(self.body, dict | list):
            raise rule_error(f"expected a mapping, a list or null; got {type(self.body).__name__}", "body")
        return self


class PluginSpec(ManifestModel):
    """The part of `spec` every plugin kind has."""

    selector: Selector
    prompt: PluginPrompt = Field(default_factory=lambda: PluginPrompt.model_validate({}))

    @field_validator("prompt", mode="before")
    @classmethod
    def _no_prompt(cls, value: Any) -> Any:
        return {} if value is None else value


class StaticPluginSpec(PluginSpec):
    """`spec` of a static plugin."""

    data: StaticData


class SqlPluginSpec(PluginSpec):
    """`spec` of a SqlPlugin."""

    connection: str
    sql_data: SqlData

    @model_validator(mode="after")
    def _check(self) -> SqlPluginSpec:
        self.connection = self.checked_name(self.connection, "connection", what="connection name")
        return self


class ApiPluginSpec(PluginSpec):
    """`spec` of an ApiPlugin."""

    connection: str
    api_data: ApiData

    @model_validator(mode="after")
    def _check(self) -> ApiPluginSpec:
        self.connection = self.checked_name(self.connection, "connection", what="connection name")
        return self


class PluginManifestBase(Manifest):
    """Envelope of the plugin kinds: `metadata.pluginClass` must agree with the kind."""

    PLUGIN_CLASS: ClassVar[str] = ""

    metadata: PluginMetadata

    @model_validator(mode="after")
    def _check_plugin_class(self) -> PluginManifestBase:
        plugin_class = self.metadata.plugin_class.strip().lower()
        if plugin_class != self.PLUGIN_CLASS:
            proper = {"static": "Plugin", "sql": "SqlPlugin", "api": "ApiPlugin"}
            raise rule_error(
                f"expected {self.PLUGIN_CLASS!r} for kind {self.KIND}; got "
                f"{self.metadata.plugin_class!r} (use kind {proper[plugin_class]})",
                "metadata",
                "pluginClass",
            )
        return self


class PluginManifest(PluginManifestBase):
    """kind Plugin: a static plugin answering from `spec.data.staticData`."""

    KIND: ClassVar[str] = "Plugin"
    PLUGIN_CLASS: ClassVar[str] = "static"

    spec: StaticPluginSpec


class SqlPluginManifest(PluginManifestBase):
    """kind SqlPlugin: a parameterised query on a SqlConnection."""

    KIND: ClassVar[str] = "SqlPlugin"
    PLUGIN_CLASS: ClassVar[str] = "sql"

    spec: SqlPluginSpec


class ApiPluginManifest(PluginManifestBase):
    """kind ApiPlugin: an HTTP endpoint of an ApiConnection."""

    KIND: ClassVar[str] = "ApiPlugin"
    PLUGIN_CLASS: ClassVar[str] = "api"

    spec: ApiPluginSpec
