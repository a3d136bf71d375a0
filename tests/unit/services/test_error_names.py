"""Names quoted in error messages are shown with repr(): a control character is visible, inert text."""

from __future__ import annotations

import pytest

from smarter_tui.domain.errors import NotFoundError
from smarter_tui.services import Services

HOSTILE_NAME = "evil\x1b]0;PWNED\x07\x9b2J"
SHOWN = repr(HOSTILE_NAME)  # 'evil\x1b]0;PWNED\x07\x9b2J' with the escapes spelled out


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.runtimes.client(HOSTILE_NAME),
        lambda s: s.runtimes.provider_config(HOSTILE_NAME),
        lambda s: s.resources.client_entry(HOSTILE_NAME),
        lambda s: s.runtimes.plugin(HOSTILE_NAME),
    ],
    ids=["client", "provider", "client by id or name", "plugin"],
)
def test_an_unknown_name_is_quoted_with_its_escapes_spelled_out(services: Services, call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFoundError) as caught:
        call(services)
    message = caught.value.message
    assert SHOWN in message and "\x1b" not in message and "\x9b" not in message
