"""Wherever a model is shown for an offline client, it is the offline model's own name."""

from __future__ import annotations

from pathlib import Path

from smarter_tui.services import Services
from tests.e2e.test_cli_offline_model import SWITCHED


def test_client_list_config_and_turn_name_the_offline_model(services: Services, tmp_path: Path) -> None:
    (tmp_path / "switched.yaml").write_text(SWITCHED)
    services.catalogue.apply_paths([tmp_path / "switched.yaml"])

    view = next(c for c in services.clients() if c.name == "switched")  # client list, status line
    assert (view.provider, view.model, view.offline) == ("offline", "offline-demo", True)
    assert services.runtimes.build("switched", None, services.db.memories).settings.model == "offline-demo"
    config = services.config.config("switched", create=False)
    assert config["llm_client"]["default_model"] == "offline-demo"
