"""Regenerate, edit and resend, delete: the old branch stays stored and exported, out of the context."""

from __future__ import annotations

import json

import pytest

from smarter_tui.domain.errors import NotFoundError, RequestError
from smarter_tui.domain.messages import Role
from smarter_tui.services import Services


async def two_turns(services: Services) -> str:
    first = await services.sessions.send("What is 6*7?", client="general_assistant")
    await services.sessions.send("What is 2**10?", session_key=first.session_key)
    return first.session_key


def roles(messages: list) -> list[str]:  # type: ignore[type-arg]
    return [str(m.role) for m in messages]


async def test_regenerate_supersedes_the_last_prompt_and_answer(services: Services) -> None:
    key = await two_turns(services)
    before = services.history.messages(key)
    sent: list[list[dict]] = []  # type: ignore[type-arg]
    outcome = await services.branches.regenerate(
        key, on_event=lambda e: sent.append(e.request["messages"]) if hasattr(e, "request") else None
    )
    assert "1024" in outcome.answer
    after = services.history.messages(key)
    assert len(after) > len(before)  # nothing removed
    old_branch = [m for m in after if m.excluded]
    assert {m.excluded for m in old_branch} == {"superseded"}
    assert old_branch[0].role is Role.USER and old_branch[0].content == "What is 2**10?"
    assert [m.position for m in old_branch] == [m.position for m in before[-len(old_branch) :]]
    # The model saw the prompt once: the superseded copy is not in the request.
    prompts = [m["content"] for m in sent[0] if m["role"] == "user"]
    assert prompts == ["What is 6*7?", "What is 2**10?"]
    context = services.db.sessions.messages(key, context_only=True)
    assert [m.content for m in context if m.role is Role.USER] == ["What is 6*7?", "What is 2**10?"]


async def test_edit_and_resend_branches_from_an_earlier_prompt(services: Services) -> None:
    key = await two_turns(services)
    first_prompt = next(m for m in services.history.messages(key) if m.role is Role.USER)
    outcome = await services.branches.edit_and_resend(key, first_prompt.position, "What is 5*5?")
    assert "25" in outcome.answer
    context = services.db.sessions.messages(key, context_only=True)
    assert [m.content for m in context if m.role is Role.USER] == ["What is 5*5?"]
    everything = services.history.messages(key)
    kept = [m.content for m in everything if m.role is Role.USER]
    assert kept == ["What is 6*7?", "What is 2**10?", "What is 5*5?"]  # the old branch is kept
    exported = json.loads(services.history.export_json(key))["messages"]
    assert [m.get("excluded") for m in exported if m["role"] == "user"] == ["superseded", "superseded", None]
    markdown = services.history.export_markdown(key)
    assert markdown.count("*(superseded: not in the context)*") == sum(1 for m in everything if m.excluded)


async def test_delete_leaves_a_message_out_of_the_context(services: Services) -> None:
    key = await two_turns(services)
    messages = services.history.messages(key)
    first_answer = next(m for m in messages if m.role is Role.ASSISTANT and m.tool_calls)
    flagged = services.branches.delete(key, first_answer.position)
    tool_results = [
        m.position
        for m in messages
        if m.role is Role.TOOL and m.tool_call_id == first_answer.tool_calls[0].id
    ]
    assert flagged == sorted([first_answer.position, *tool_results])  # the call goes with its result
    context = services.db.sessions.messages(key, context_only=True)
    assert all(m.position not in flagged for m in context)
    assert all(m.excluded == "deleted" for m in services.history.messages(key) if m.position in flagged)
    outcome = await services.sessions.send("What is 3*3?", session_key=key)
    assert outcome.error is None and "9" in outcome.answer


async def test_deleting_a_tool_result_takes_its_call(services: Services) -> None:
    key = await two_turns(services)
    messages = services.history.messages(key)
    result = next(m for m in messages if m.role is Role.TOOL)
    caller = next(m for m in messages if any(c.id == result.tool_call_id for c in m.tool_calls))
    assert services.branches.delete(key, result.position) == [caller.position, result.position]


async def test_what_cannot_be_branched_or_deleted(services: Services) -> None:
    key = await two_turns(services)
    messages = services.history.messages(key)
    system = messages[0]
    answer = next(m for m in messages if m.role is Role.ASSISTANT)
    with pytest.raises(RequestError, match="system prompt cannot be deleted"):
        services.branches.delete(key, system.position)
    with pytest.raises(RequestError, match="is a assistant message, not a prompt"):
        services.branches.branch_from(key, answer.position)
    with pytest.raises(NotFoundError, match="is not in the context"):
        services.branches.delete(key, 999)
    user = next(m for m in messages if m.role is Role.USER)
    with pytest.raises(RequestError, match="The prompt is empty"):
        services.branches.branch_from(key, user.position, "   ")
    services.branches.delete(key, user.position)
    with pytest.raises(NotFoundError, match="is not in the context"):
        services.branches.branch_from(key, user.position)  # deleted: no longer a branch point
    assert services.history.messages(key) == messages[:1] + [
        m for m in services.history.messages(key)[1:]
    ]  # still all stored


async def test_regenerate_needs_a_prompt(services: Services) -> None:
    outcome = await services.sessions.send("Hello", client="general_assistant")
    prompt = next(m for m in services.history.messages(outcome.session_key) if m.role is Role.USER)
    services.branches.delete(outcome.session_key, prompt.position)
    with pytest.raises(RequestError, match="no prompt yet"):
        await services.branches.regenerate(outcome.session_key)


async def test_the_reopened_transcript_is_the_current_branch(services: Services) -> None:
    key = await two_turns(services)
    await services.branches.regenerate(key)
    messages, earlier = services.history.transcript(key, last=3)
    assert earlier == services.db.sessions.context_count(key) - 3
    assert not any(m.excluded for m in messages)
    everything, _ = services.history.transcript(key, last=100)
    assert [m.content for m in everything if m.role is Role.USER] == ["What is 6*7?", "What is 2**10?"]
