"""`describe` prints today's Smarter shape: the official SDK's SAM_MODELS accept it, and apply of it
stores the same model. Over the bundled examples, the kind examples and a corpus in both shapes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from smarter.models.sam import SAM_MODELS

from smarter_tui.config.secrets import SecretStore
from smarter_tui.manifests import KINDS, load_file, load_text
from smarter_tui.services import Services
from smarter_tui.services.authoring import examples_dir
from smarter_tui.services.seed import examples_dir as bundled_dir
from tests.support.memory_keyring import MemoryKeyring

CORPUS = Path(__file__).resolve().parents[1] / "manifests" / "corpus"


def _documents(folder: Path) -> list[tuple[str, str]]:
    return [(item.kind, item.name) for path in sorted(folder.glob("*.yaml")) for item in load_file(path)]


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One database holding the bundled examples, the corpus and the kind examples."""
    home = tmp_path_factory.mktemp("sam")
    services = Services.open(home / "sam.sqlite3", secrets=SecretStore(MemoryKeyring()))
    services.catalogue.apply_paths([CORPUS])
    # The kind examples refer to one another (example_db, example_api, example_api_key).
    services.catalogue.apply_paths([examples_dir()])
    yield services
    services.close()


ALL = sorted(set(_documents(bundled_dir()) + _documents(CORPUS) + _documents(examples_dir())))


def test_the_corpus_is_realistic_and_complete() -> None:
    corpus = _documents(CORPUS)
    assert len(corpus) >= 20
    assert {kind for kind, _ in corpus} == set(KINDS)
    texts = "\n".join(p.read_text() for p in CORPUS.glob("*.yaml"))
    # both LLMClient shapes, and the seed-era spellings we accept more than Smarter
    assert "kind: Chatbot" in texts and "  functions:" in texts and "    prompt:\n" in texts
    assert "expirationDate" in texts and "baseUrl:" in texts and "smarter.sh/v0" in texts


@pytest.mark.parametrize(("kind", "name"), ALL, ids=[f"{k}-{n}" for k, n in ALL])
def test_describe_passes_the_sdk_models_and_round_trips(catalogue: Services, kind: str, name: str) -> None:
    described = catalogue.catalogue.describe(kind, name)
    model = SAM_MODELS[kind].model_validate(described)  # status included: complete for the model
    assert model.status is not None
    without_status = {key: value for key, value in described.items() if key != "status"}
    SAM_MODELS[kind].model_validate(without_status)
    # the YAML form too (what `describe` prints and an editor shows)
    text = catalogue.catalogue.describe_yaml(kind, name)
    SAM_MODELS[kind].model_validate(yaml.safe_load(text))
    stored = catalogue.catalogue.get(kind, name).manifest
    (again,) = load_text(text, "described.yaml")
    if kind == "Secret":  # the value never leaves the keyring: describe shows a mask
        assert again.data["spec"]["config"].pop("value").startswith("****")
    assert again.data == stored


def test_apply_of_describe_stores_the_same_model(catalogue: Services, tmp_path: Path) -> None:
    for kind, name in ALL:
        before = catalogue.catalogue.get(kind, name).manifest
        path = tmp_path / f"{name}.yaml"
        path.write_text(catalogue.catalogue.describe_yaml(kind, name))
        catalogue.catalogue.apply_paths([path])
        assert catalogue.catalogue.get(kind, name).manifest == before, (kind, name)


def test_flat_client_is_described_nested(catalogue: Services) -> None:
    described = catalogue.catalogue.describe("LLMClient", "book_club")
    prompt = described["spec"]["config"]["prompt"]
    assert prompt["provider"] == "lab_vllm" and prompt["defaultTemperature"] == 0.8
    assert prompt["customDomain"] == {"domain_name": "books.example.com", "aws_hosted_zone_id": ""}
    assert described["spec"]["config"]["styles"] == {
        "appLogoUrl": "https://books.example.com/logo.png",
        "appBackgroundImageUrl": None,  # written `appBackgroundImageUrl: null`: kept
    }
    assert described["spec"]["extensions"] == ["date_calculator"] and "functions" not in described["spec"]
    assert described["metadata"]["name"] == "book_club" and described["apiVersion"] == "smarter.sh/v1"
