"""The authoring service: browse, validate text with lines, save all or nothing, examples, copies, secrets."""

from __future__ import annotations

import asyncio
import json

import pytest

from smarter_tui.domain.errors import DependencyError, ManifestError, NotFoundError
from smarter_tui.manifests import load_text
from smarter_tui.services import Services
from tests.support.memory_keyring import MemoryKeyring


def line_of(text: str, fragment: str) -> int:
    """Return the 1-based line of the first line containing `fragment`."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_browse_lists_every_group_with_dependants(services: Services) -> None:
    rows = {(s.group, s.name): s for s in services.authoring.browse()}
    assert [s.group for s in services.authoring.browse()][0] == "llmclient"
    plugin = rows[("plugin", "everlasting_gobstopper")]
    assert plugin.valid and plugin.used_by == ["llmclient shop_assistant"]
    assert rows[("connection", "catalogue_db")].used_by == ["plugin course_search"]
    assert rows[("llmclient", "course_assistant")].uses == ["plugin course_details", "plugin course_search"]
    assert ("provider", "local_ollama") in rows


def test_text_is_the_users_own_with_comments(services: Services) -> None:
    text = services.authoring.text("plugin", "everlasting_gobstopper")
    assert text.startswith("# A shop assistant for the Everlasting Gobstopper")
    assert "kind: Plugin" in text and "kind: LLMClient" not in text


def test_validate_reports_every_error_with_its_line_and_field(services: Services) -> None:
    text = services.authoring.text("plugin", "everlasting_gobstopper")
    bad = text.replace("directive: search_terms", "directive: sometimes").replace(
        "maxTokens: 1024", "maxTokens: -3"
    )
    report = services.authoring.validate(bad)
    assert report.errors
    assert not report.ok
    assert [(p.line, p.field) for p in report.errors] == [
        (line_of(bad, "directive: sometimes"), "spec.selector.directive"),
        (line_of(bad, "maxTokens: -3"), "spec.prompt.maxTokens"),
    ]
    assert "expected one of search_terms, always, llm" in report.errors[0].message


def test_validate_reports_a_yaml_syntax_error_with_its_line(services: Services) -> None:
    text = services.authoring.text("plugin", "everlasting_gobstopper").replace("  prompt:\n", "  prompt\n")
    (problem,) = services.authoring.validate(text).problems
    assert problem.is_error and "YAML syntax error" in problem.message
    assert problem.line == line_of(text, "  prompt") + 1  # the parser notices on the next line


def test_validate_reports_a_missing_plugin_on_its_line(services: Services) -> None:
    text = services.authoring.text("llmclient", "shop_assistant").replace(
        "- everlasting_gobstopper", "- no_such_plugin"
    )
    (problem,) = services.authoring.validate(text).errors
    assert (problem.line, problem.field) == (line_of(text, "no_such_plugin"), "spec.plugins[0]")
    assert "no plugin named 'no_such_plugin'" in problem.message


def test_validate_gives_each_line_its_field_description(services: Services) -> None:
    text = services.authoring.text("plugin", "everlasting_gobstopper")
    report = services.authoring.validate(text)
    assert report.ok and report.manifests == [("Plugin", "everlasting_gobstopper")]
    path, description = report.field_at(line_of(text, "maxTokens: 1024")) or ("", "")
    assert path == "spec.prompt.maxTokens" and "maximum number of tokens" in description
    # A key inside the static data has no description of its own: its data section's is given.
    path, _ = report.field_at(line_of(text, "coupon_codes:")) or ("", "")
    assert path == "spec.data.staticData"


def test_save_is_all_or_nothing_and_diff_shows_the_change(services: Services) -> None:
    authoring = services.authoring
    text = authoring.text("plugin", "everlasting_gobstopper")
    changed = text.replace("GOBSTOPPER10", "GOBSTOPPER25")
    assert "-        - code: GOBSTOPPER10\n+        - code: GOBSTOPPER25\n" in authoring.diff(
        "Plugin", "everlasting_gobstopper", changed
    )
    (applied,) = authoring.save(changed)
    assert applied.action == "updated"
    assert authoring.text("plugin", "everlasting_gobstopper") == changed  # comments kept
    assert authoring.diff("Plugin", "everlasting_gobstopper", changed) == ""

    broken = changed.replace("GOBSTOPPER25", "GOBSTOPPER50") + "---\nkind: Plugin\nmetadata: {name: x}\n"
    with pytest.raises(ManifestError):
        authoring.save(broken)
    assert "GOBSTOPPER25" in authoring.text("plugin", "everlasting_gobstopper")


class ParseCounter:
    """Counts the texts the loader checks (parse + validate), running the real check each time."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from smarter_tui.manifests import loader

        self.texts: list[str] = []
        real = loader.check_text

        def counted(text: str, filename: str = "<string>") -> loader.CheckedText:
            self.texts.append(text)
            return real(text, filename)

        monkeypatch.setattr(loader, "check_text", counted)


def test_field_help_and_save_reuse_the_last_validation(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    from smarter_tui.services.authoring import field_help

    authoring = services.authoring
    text = authoring.text("plugin", "everlasting_gobstopper").replace("GOBSTOPPER10", "GOBSTOPPER_REUSE")
    parsed = ParseCounter(monkeypatch)
    assert authoring.validate(text).ok
    for line in (1, line_of(text, "maxTokens: 1024"), line_of(text, "GOBSTOPPER_REUSE")):
        field_help(text, line)  # each cursor move
    help_ = field_help(text, line_of(text, "maxTokens: 1024"))
    assert help_ is not None and help_.field == "spec.prompt.maxTokens"
    (applied,) = authoring.save(text)
    assert applied.action == "updated" and "GOBSTOPPER_REUSE" in authoring.text(
        "plugin", "everlasting_gobstopper"
    )
    assert parsed.texts == [text]  # parsed once for validate, field help and save
    # another text is parsed (once), and what was kept for the first is not used for it
    other = text.replace("GOBSTOPPER_REUSE", "GOBSTOPPER_OTHER")
    authoring.save(other)
    assert parsed.texts == [text, other]
    assert "GOBSTOPPER_OTHER" in authoring.text("plugin", "everlasting_gobstopper")


def test_a_kept_validation_is_not_changed_by_its_callers(services: Services) -> None:
    from smarter_tui.services.authoring import validate_text

    text = services.authoring.text("llmclient", "shop_assistant").replace(
        "- everlasting_gobstopper", "- plugin_not_there"
    )
    # validate_text has no catalogue: the text is valid; the service adds the missing reference
    assert validate_text(text).valid
    for _ in range(2):
        (problem,) = services.authoring.validate(text).errors
        assert "no plugin named 'plugin_not_there'" in problem.message
    assert validate_text(text).valid  # the service's addition did not leak into the kept report
    bad = text.replace("kind: LLMClient", "kind: NoSuchKind")
    report = services.authoring.validate(bad)
    assert report.errors
    with pytest.raises(ManifestError) as refused:
        services.authoring.save(bad)
    with pytest.raises(ManifestError) as loaded:
        load_text(bad, "<editor>")
    assert refused.value.problems == loaded.value.problems == [p.text for p in report.errors]


def test_every_example_validates_and_gets_a_free_name(services: Services) -> None:
    for kind in services.authoring.kinds():
        text = services.authoring.example(kind)
        report = services.authoring.validate(text)
        # An example may name a connection the user has yet to create: that is the only error allowed.
        others = [p for p in report.errors if not p.message.startswith("no connection named")]
        assert others == [], (kind, report.errors)
        assert report.manifests[0][0] == kind
        assert text.lstrip().startswith("#")  # commented
    first = services.authoring.example("Plugin")
    services.authoring.save(first)
    base = load_text(first)[0].name
    second = services.authoring.example("Plugin")
    assert load_text(second)[0].name == f"{base}_2"


def test_duplicate_renames_and_keeps_comments(services: Services) -> None:
    name, text = services.authoring.duplicate("plugin", "everlasting_gobstopper")
    assert name == "everlasting_gobstopper_copy"
    assert "name: everlasting_gobstopper_copy" in text and text.startswith("# A shop assistant")
    services.authoring.save(text)
    again, _ = services.authoring.duplicate("plugin", "everlasting_gobstopper")
    assert again == "everlasting_gobstopper_copy_2"


def test_delete_is_refused_naming_the_dependants(services: Services) -> None:
    with pytest.raises(DependencyError, match="llmclient 'shop_assistant'"):
        services.authoring.delete("plugin", "everlasting_gobstopper")
    services.authoring.delete("provider", "local_ollama")
    with pytest.raises(NotFoundError):
        services.authoring.text("provider", "local_ollama")


def test_attach_and_detach_edit_the_clients_text_in_place(services: Services) -> None:
    authoring = services.authoring
    before = authoring.text("llmclient", "shop_assistant")
    commented = before.replace("  plugins:\n", "  plugins:  # what the assistant may call\n")
    authoring.save(commented)
    authoring.set_attached("shop_assistant", "course_search", True)
    after = authoring.text("llmclient", "shop_assistant")
    assert after == commented.replace(
        "    - everlasting_gobstopper\n", "    - everlasting_gobstopper\n    - course_search\n"
    )
    attached = [view.name for view in services.inspector.attached("shop_assistant")]
    assert attached == ["everlasting_gobstopper", "course_search", "calculator"]
    authoring.set_attached("shop_assistant", "course_search", False)
    assert authoring.text("llmclient", "shop_assistant") == commented
    with pytest.raises(NotFoundError):
        authoring.set_attached("shop_assistant", "no_such_plugin", True)


def test_secret_is_shown_masked_and_an_unchanged_mask_keeps_the_value(
    services: Services, memory_keyring: MemoryKeyring
) -> None:
    authoring = services.authoring
    from smarter_tui.services import yaml_edit

    example = yaml_edit.set_value(
        authoring.example("Secret"), ("spec", "config", "value"), "sk-test-1234567890abcd"
    )
    name = load_text(example)[0].name
    authoring.save(example)
    text = authoring.text("secret", name)
    assert "value: '****abcd'" in text or "value: ****abcd" in text
    assert "sk-test" not in json.dumps(services.db.catalogue.get("secret", name).manifest)
    authoring.save(yaml_edit.set_value(text, ("metadata", "description"), "The token."))
    assert services.secrets.get(name) == "sk-test-1234567890abcd"
    authoring.save(text.replace("****abcd", "sk-new-value-0000wxyz"))
    assert services.secrets.get(name) == "sk-new-value-0000wxyz"


def test_try_text_runs_the_unsaved_plugin(services: Services) -> None:
    text = services.authoring.text("plugin", "everlasting_gobstopper").replace("GOBSTOPPER10", "UNSAVED99")
    result = asyncio.run(services.inspector.try_text(text, {"inquiry_type": "coupon_codes"}))
    assert result.ok and "UNSAVED99" in (result.result or "")
    assert "GOBSTOPPER10" in services.authoring.text("plugin", "everlasting_gobstopper")
    with pytest.raises(ManifestError):
        asyncio.run(services.inspector.try_text(services.authoring.text("provider", "local_ollama")))


def test_stored_examples_load_unchanged_through_the_edit_round_trip(services: Services) -> None:
    from smarter_tui.services import yaml_edit

    for summary in services.authoring.browse():
        text = services.authoring.text(summary.kind, summary.name)
        assert yaml_edit.edit(text, lambda document: None) == text, summary.name
        assert load_text(text)[0].name == summary.name
