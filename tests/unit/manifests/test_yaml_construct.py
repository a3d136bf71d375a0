"""The direct construction of plain documents gives exactly what PyYAML's safe constructor gives."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from smarter_tui.manifests.lines import parse_documents

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.dates()
    | st.datetimes(timezones=st.just(datetime.UTC))
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=4)
    ),
    max_leaves=30,
)


def _both(text: str) -> tuple[Any, Any]:
    return [d.data for d in parse_documents(text, "x.yaml")], list(yaml.load_all(text, Loader=LOADER))


@settings(max_examples=150, deadline=None)
@given(VALUES, st.booleans())
def test_generated_documents_match_pyyaml(value: Any, flow: bool) -> None:
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)
    mine, theirs = _both(text)
    assert mine == theirs


@pytest.mark.parametrize(
    "text",
    [
        "a: &x {b: 1}\nc: *x\nd: [*x, *x]\n",  # aliases
        "base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\n",  # a merge key: PyYAML's own rules
        "t: 2024-01-01\nf: 1.5e3\nn: ~\nb: yes\ni: 0x1f\no: 0o17\ninf: .inf\n",  # YAML 1.1 scalars
        "- !!str 5\n- !!int '7'\n- !!float '1'\n",  # explicit standard tags
        "{1: a, true: b, null: c, 2024-01-01: d}\n",  # non-string keys
        "a: 1\n---\n- x\n---\n",  # several documents, one empty
    ],
)
def test_special_cases_match_pyyaml(text: str) -> None:
    mine, theirs = _both(text)
    assert mine == theirs


def test_aliases_share_one_object_like_pyyaml() -> None:
    (document,) = parse_documents("a: &x [1]\nb: *x\n", "x.yaml")
    assert document.data["a"] is document.data["b"]
