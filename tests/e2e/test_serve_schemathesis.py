"""Property-based tests of every route against the server's own /openapi.json (schemathesis).

Bounded (a few examples per operation) so the module costs about half a minute: no 5xx anywhere,
every status documented, every body matching its documented schema, with and without an API key.

The server allows many wrong keys (`--max-auth-failures`): with the default 10 a minute, every
request after the first few wrong-key calls would be a 429, documented but no test of the routes.
The limiter itself is tested in tests/server/test_auth_limiter.py and test_serve_auth_limit.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.config import SchemathesisConfig

from tests.e2e.serve import Server

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("serve-fuzz") / "home"
    with Server(home, "--max-auth-failures", "1000000") as running:
        yield running


@pytest.fixture(scope="module")
def api_schema(server: Server) -> schemathesis.BaseSchema:
    # Fuzzing only: the coverage phase alone would send ~15 requests per operation.
    config = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
    return schemathesis.openapi.from_url(f"{server.base_url}/openapi.json", config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_route_keeps_its_contract(case: schemathesis.Case, server: Server) -> None:
    right = case.call_and_validate(
        headers={"Authorization": f"Token {server.key}"}, checks=CHECKS, timeout=60
    )
    assert right.status_code != 429  # the routes themselves were reached, not the limiter's refusal
    case.call_and_validate(headers={"Authorization": "Token not-a-key"}, checks=CHECKS, timeout=60)
