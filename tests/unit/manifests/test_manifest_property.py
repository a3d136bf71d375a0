"""Property: apply(describe(x)) == x for generated manifests of every kind, in both LLMClient shapes."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from smarter.models.sam import SAM_MODELS

from smarter_tui.manifests import dump_yaml, load_text
from smarter_tui.manifests.describe import canonical_data

NAME = st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True)
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(
    lambda t: t.strip() == t and bool(t)
)
OPT_TEXT = st.none() | TEXT
SCALAR = st.none() | st.booleans() | st.integers(-1000, 1000) | TEXT
TEMPERATURE = st.none() | st.floats(0, 1, allow_nan=False).map(lambda f: round(f, 2))
VERSION = st.none() | st.from_regex(r"(0|[1-9][0-9]?)\.(0|[1-9])\.(0|[1-9])", fullmatch=True)


def _envelope(
    kind: str, name: str, description: str | None, version: str | None, spec: Any
) -> dict[str, Any]:
    return {
        "apiVersion": "smarter.sh/v1",
        "kind": kind,
        "metadata": {"name": name, "description": description, "version": version},
        "spec": spec,
    }


def _drop_none(mapping: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if value is not None}


PARAMETERS = st.lists(
    st.builds(
        lambda name, kind, description, required: {
            "name": name,
            "type": kind,
            "description": description,
            "required": required,
        },
        NAME,
        st.sampled_from(["string", "number", "integer", "boolean"]),
        OPT_TEXT,
        st.booleans(),
    ),
    max_size=3,
    unique_by=lambda p: p["name"],
)
PROMPT = st.builds(
    lambda provider, role, model, temperature, tokens: _drop_none(
        {
            "provider": provider,
            "systemRole": role,
            "model": model,
            "temperature": temperature,
            "maxTokens": tokens,
        }
    ),
    st.none() | NAME,
    OPT_TEXT,
    OPT_TEXT,
    TEMPERATURE,
    st.none() | st.integers(1, 4096),
)
SELECTOR = st.one_of(
    st.just({"directive": "always"}),
    st.lists(TEXT, min_size=1, max_size=3).map(lambda t: {"directive": "search_terms", "searchTerms": t}),
)


@st.composite
def manifests(draw: st.DrawFn) -> dict[str, Any]:
    """A valid manifest of any of the 8 kinds (the LLMClient in either shape)."""
    kind = draw(
        st.sampled_from(
            [
                "Secret",
                "Provider",
                "SqlConnection",
                "ApiConnection",
                "Plugin",
                "SqlPlugin",
                "ApiPlugin",
                "LLMClient",
            ]
        )
    )
    name, description, version = draw(NAME), draw(OPT_TEXT), draw(VERSION)
    spec: dict[str, Any]
    if kind == "Secret":
        date = draw(st.none() | st.dates().map(lambda d: d.isoformat()))
        spec = {"config": _drop_none({"value": draw(TEXT), "expiration_date": date})}
    elif kind == "Provider":
        spec = {
            "provider": _drop_none(
                {
                    "base_url": draw(
                        st.sampled_from(["https://api.example.com/v1", "http://127.0.0.1:8000/v1"])
                    ),
                    "default_model": draw(OPT_TEXT),
                    "docs_url": draw(st.none() | st.just("https://docs.example.com")),
                }
            )
        }
    elif kind == "SqlConnection":
        engine = draw(
            st.sampled_from(
                [
                    "sqlite",
                    "django.db.backends.sqlite3",
                    "django.db.backends.postgresql",
                    "django.db.backends.mysql",
                ]
            )
        )
        server = "sqlite" not in engine
        spec = {
            "connection": _drop_none(
                {
                    "dbEngine": engine,
                    "database": draw(st.sampled_from(["./a.sqlite3", "../data/b.db", "shop"])),
                    "hostname": "db.example.com" if server else "",
                    "port": draw(st.none() | st.integers(1, 65535)) if server else None,
                    "timeout": draw(st.integers(1, 600)),
                    "poolSize": draw(st.none() | st.integers(0, 50)),
                    "useSsl": draw(st.none() | st.booleans()),
                    "proxyHost": draw(st.none() | st.just("bastion.example.com")),
                }
            )
        }
    elif kind == "ApiConnection":
        auth = draw(st.sampled_from(["none", "token", "basic"]))
        spec = {
            "connection": _drop_none(
                {
                    "baseUrl": "https://api.example.com",
                    "authMethod": auth,
                    "apiKey": None if auth == "none" else draw(NAME),
                    "timeout": draw(st.integers(1, 120)),
                    "proxyPort": draw(st.none() | st.integers(1, 65535)),
                }
            )
        }
    elif kind == "LLMClient":
        prompt = _drop_none(
            {
                "provider": draw(st.none() | NAME),
                "defaultModel": draw(OPT_TEXT),
                "defaultTemperature": draw(TEMPERATURE),
                "defaultMaxTokens": draw(st.none() | st.integers(1, 8192)),
                "appName": draw(OPT_TEXT),
                "appExamplePrompts": draw(st.lists(TEXT, max_size=2)),
                "allowedOrigins": draw(st.none() | st.just(["https://a.example.com"])),
            }
        )
        extensions = draw(st.lists(st.sampled_from(["calculator", "date_calculator"]), unique=True))
        if draw(st.booleans()):  # today's nested shape
            spec = {"config": {"prompt": prompt}, "extensions": extensions}
            if draw(st.booleans()):
                spec["config"]["styles"] = {"fontFamily": draw(TEXT)}
        else:  # the seed-era flat shape
            spec = {"config": prompt, "functions": extensions}
    else:
        common: dict[str, Any] = {"selector": draw(SELECTOR), "prompt": draw(PROMPT)}
        metadata_class = {"Plugin": "static", "SqlPlugin": "sql", "ApiPlugin": "api"}[kind]
        parameters = draw(PARAMETERS)
        if kind == "Plugin":
            data = draw(st.dictionaries(NAME, SCALAR, min_size=1, max_size=4))
            spec = {**common, "data": {"staticData": data}}
        elif kind == "SqlPlugin":
            where = " AND ".join(f"{p['name']} = {{{p['name']}}}" for p in parameters) or "1 = 1"
            spec = {
                **common,
                "connection": draw(NAME),
                "sqlData": {
                    "sqlQuery": f"SELECT * FROM t WHERE {where}",
                    "parameters": parameters,
                    "limit": draw(st.integers(1, 1000)),
                },
            }
        else:
            headers = draw(
                st.lists(
                    st.builds(
                        lambda n, v: {"name": n, "value": v}, NAME, st.booleans() | st.integers(0, 99) | TEXT
                    ),
                    max_size=2,
                )
            )
            spec = {
                **common,
                "connection": draw(NAME),
                "apiData": {
                    "endpoint": "/items/",
                    "method": draw(st.sampled_from(["GET", "POST"])),
                    "headers": headers,
                    "parameters": parameters,
                    "limit": draw(st.integers(2, 50)),
                },
            }
        manifest = _envelope(kind, name, description, version, spec)
        manifest["metadata"]["pluginClass"] = metadata_class
        return manifest
    return _envelope(kind, name, description, version, spec)


def _apply(text: str) -> dict[str, Any]:
    (item,) = load_text(text, "generated.yaml")
    return item.data


def _describe(kind: str, stored: dict[str, Any]) -> str:
    data = canonical_data(kind, stored)
    return dump_yaml({**data, "status": {"created": "2026-01-01T00:00:00+00:00"}})


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(manifests())
def test_apply_of_describe_is_the_same_model(manifest: dict[str, Any]) -> None:
    stored = _apply(dump_yaml(manifest))
    described = _describe(manifest["kind"], stored)
    assert _apply(described) == stored
    import yaml

    document = yaml.safe_load(described)
    document.pop("status")
    SAM_MODELS[manifest["kind"]].model_validate(document)
