"""The chat: transcript, prompt input and status line; renders the turns the turn service runs."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widget import MountError

from smarter_tui.domain.events import (
    AssistantMessageAdded,
    ModelRequestSent,
    PluginSelected,
    RoundFinished,
    SessionStarted,
    SystemRoleAdded,
    TextDelta,
    ToolCallFinished,
    ToolCallStarted,
    TurnEnded,
    TurnFinished,
    UserMessageAdded,
)
from smarter_tui.domain.messages import Message as ChatMessage
from smarter_tui.domain.messages import Role
from smarter_tui.ui.widgets.earlier_notice import EarlierNotice
from smarter_tui.ui.widgets.prompt_input import PromptInput
from smarter_tui.ui.widgets.status_line import StatusLine
from smarter_tui.ui.widgets.transcript import Transcript
from smarter_tui.ui.widgets.transcript_notice import TranscriptNotice
from smarter_tui.ui.widgets.user_message import UserMessage
from smarter_tui.ui.widgets.welcome_card import WelcomeCard

if TYPE_CHECKING:
    from smarter_tui.services.clients import ClientView
    from smarter_tui.services.turns import Turn, TurnService, TurnUpdate
    from smarter_tui.ui.widgets.assistant_message import AssistantMessage
    from smarter_tui.ui.widgets.tool_card import ToolCard

#: How many messages of an old session are rendered when it is reopened (the rest stay stored).
REOPEN_LAST = 60
#: The transcript's widget budget: once a turn ends with more widgets than this (all descendants:
#: a 2,000-token Markdown answer is ~110, each ~60 KB of styles, caches and rendered lines), the
#: oldest turns leave it, counted by an EarlierNotice that brings them back from the session.
LIVE_WIDGETS = 500
#: What the transcript says under an answer the user stopped (or that a crash cut short).
INTERRUPTED = "Interrupted: the answer was stopped here; what arrived is kept in the session."
_SECRET = re.compile(r"(sk-|Bearer\s+|Basic\s+)[A-Za-z0-9._\-+/=]{4,}")


def mask_secrets(text: str) -> str:
    """Return `text` with anything that looks like a key or auth header value masked."""
    return _SECRET.sub(lambda m: m.group(1) + "****", text)


def answer_widget(text: str = "", interrupted: bool = False) -> AssistantMessage:
    """A new answer widget. Its module (Textual's Markdown: markdown-it, Pygments, ~27 ms) is
    imported by the app's warm-up after the first paint, or here by the first answer."""
    from smarter_tui.ui.widgets.assistant_message import AssistantMessage

    return AssistantMessage(text, interrupted=interrupted)


def tool_card(call_id: str, name: str, arguments: str, source: str) -> ToolCard:
    """A new tool card. Its module (Textual's Collapsible, ~2 ms) is imported by the app's
    warm-up after the first paint, or here by the first tool call."""
    from smarter_tui.ui.widgets.tool_card import ToolCard

    return ToolCard(call_id, name, arguments, source)


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _one_change_at_a_time(
    method: Callable[Concatenate[ChatPane, _P], Awaitable[_R]],
) -> Callable[Concatenate[ChatPane, _P], Awaitable[_R]]:
    """Run `method` holding the pane's `_changing` lock (see `ChatPane.__init__`)."""

    @functools.wraps(method)
    async def locked(pane: ChatPane, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        async with pane._changing:
            return await method(pane, *args, **kwargs)

    return locked


class ChatPane(Vertical):
    """One conversation with one client: starts turns through the turn service and renders them."""

    class SelectionsChanged(Message):
        """Plugins were selected for the prompt now running in `chat`: (plugin, why) pairs."""

        def __init__(self, chat: ChatPane, items: list[tuple[str, str]]) -> None:
            super().__init__()
            self.chat = chat
            self.items = items

    class TurnCompleted(Message):
        """A turn of `chat` ended (normally, cancelled or failed); the session is saved."""

        def __init__(self, chat: ChatPane, session_key: str | None) -> None:
            super().__init__()
            self.chat = chat
            self.session_key = session_key

    class EarlierRequested(Message):
        """The user asked `chat` to show `last` messages of its session (more than it shows)."""

        def __init__(self, chat: ChatPane, last: int) -> None:
            super().__init__()
            self.chat = chat
            self.last = last

    class StateChanged(Message):
        """`chat` started or finished an answer, or shows another client or session."""

        def __init__(self, chat: ChatPane) -> None:
            super().__init__()
            self.chat = chat

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.turns: TurnService | None = None  # handed in by the screen once services are open
        self.client: ClientView | None = None
        self.session_key: str | None = None
        # Not `_running`: Textual's message pump keeps its own `_running` (is_running) there.
        self._answering = False
        self.completed_turns = 0  # turns whose end has been rendered (tests wait on it)
        self.debug_log: list[dict[str, Any]] = []  # model traffic of the session's last turn here
        self._debug_logs: dict[str, list[dict[str, Any]]] = {}  # the same, per session key
        self._shown: list[ChatMessage] = []  # the stored messages a reopened session showed
        self._turn: Turn | None = None
        # Held while a new chat or a saved session is put up: a prompt sent meanwhile waits, then
        # goes to that chat (it had its client already, and its transcript was being replaced).
        self._changing = asyncio.Lock()
        self._answer: AssistantMessage | None = None
        self._cards: dict[str, ToolCard] = {}
        self._selections: list[tuple[str, str]] = []
        # The turns shown, by the UserMessage that starts each: how many stored (context)
        # messages each stands for, so the notice of trimmed turns counts like a reopen does.
        self._heads: dict[UserMessage, int] = {}
        self._head: UserMessage | None = None  # the turn being answered
        self._prelude = 0  # stored messages shown before the first turn (a reopened window)
        self._earlier = 0  # stored messages before what is shown
        # A new session's system prompt is stored with its first prompt (not when the key is
        # handed out); until then the session does not exist.
        self._system_pending = False
        self._mounted = asyncio.Event()

    @property
    def running(self) -> bool:
        """True from sending a prompt until the end of its turn is rendered."""
        return self._answering

    @running.setter
    def running(self, value: bool) -> None:
        if value != self._answering:
            self._answering = value
            if self.is_attached:
                self.screen.refresh_bindings()  # the footer's "Cancel answer" comes and goes
                self.post_message(self.StateChanged(self))

    def compose(self) -> ComposeResult:
        yield Transcript(id="transcript")
        yield PromptInput(id="prompt")
        yield StatusLine(id="status")

    def on_mount(self) -> None:
        self.transcript.anchor()  # follow the end of the conversation (see Transcript)
        self._mounted.set()

    async def mounted(self) -> None:
        """Wait until the pane and its transcript, prompt and status line are mounted."""
        await self._mounted.wait()

    @property
    def transcript(self) -> Transcript:
        """The scrolling message list."""
        return self.query_one("#transcript", Transcript)

    @property
    def status(self) -> StatusLine:
        """The status line."""
        return self.query_one(StatusLine)

    @property
    def prompt(self) -> PromptInput:
        """The prompt editor."""
        return self.query_one(PromptInput)

    def focus_prompt(self) -> None:
        """Put the keyboard focus in the prompt editor."""
        self.prompt.focus()

    # -- starting and reopening chats ----------------------------------------------------------
    @_one_change_at_a_time
    async def new_chat(self, client: ClientView) -> None:
        """Start a new chat with `client` (the session is created with the first prompt)."""
        self._leave_turn()
        self.client, self.session_key = client, None
        self.debug_log, self._shown = [], []
        self._forget_turns()
        await self.transcript.remove_children()
        await self.transcript.mount(WelcomeCard(client.app_name, client.welcome, client.examples))
        if self._taken_down():
            return
        self._reset_status()
        self.prompt.placeholder = client.placeholder
        self.post_message(self.StateChanged(self))
        self.focus_prompt()

    @_one_change_at_a_time
    async def show_session(
        self,
        client: ClientView,
        session_key: str,
        messages: list[ChatMessage],
        tool_calls: list[Any],
        earlier: int,
        bounded: bool = True,
    ) -> bool:
        """Render a saved session (its last messages) so the user can read and continue it.

        `bounded`: the oldest turns shown leave again when they exceed the widget budget (not
        when the user asked for earlier messages). Returns False when the app closed meanwhile
        (nothing more may be done with the pane).
        """
        self._leave_turn()
        self.client, self.session_key = client, session_key
        self.debug_log, self._shown = self._debug_logs.get(session_key, []), messages
        self._forget_turns()
        self._earlier = earlier
        await self.transcript.remove_children()
        durations = {c.tool_call_id: c for c in tool_calls}
        widgets: list[Any] = []
        if earlier:
            widgets.append(EarlierNotice(earlier))
        cards: dict[str, ToolCard] = {}
        for message in messages:
            if message.role is Role.USER:
                widgets.append(self._begin_turn(message.content or ""))
            self._count_stored()  # every message of the window, shown or not (system, tool)
            if message.role is Role.ERROR:
                widgets.append(TranscriptNotice("error", message.content or "The turn failed."))
            elif message.role is Role.ASSISTANT:
                if message.content:
                    widgets.append(answer_widget(message.content, interrupted=message.interrupted))
                for call in message.tool_calls:
                    record = durations.get(call.id)
                    card = tool_card(call.id, call.name, call.arguments, record.source if record else "")
                    cards[call.id] = card
                    widgets.append(card)
                if message.interrupted:
                    widgets.append(TranscriptNotice("interrupted", INTERRUPTED))
            elif message.role is Role.TOOL and message.tool_call_id in cards:
                record = durations.get(message.tool_call_id)
                error = record.error if record else None
                cards[message.tool_call_id].finish(
                    None if error else message.content, error, record.duration_ms if record else None
                )
        self._head = None
        await self.transcript.mount_all(widgets)
        if self._taken_down():
            return False
        self.transcript.anchor()
        if bounded:
            await self._trim()
        self._reset_status()
        self.prompt.placeholder = client.placeholder
        self.post_message(self.StateChanged(self))
        return True

    async def update_client(self, client: ClientView) -> None:
        """Take a newer version of this chat's client (its manifest changed while the app runs).

        The welcome card, placeholder and (in a chat not yet started) model are shown anew; a
        running answer goes on undisturbed, the next turn is built from the stored manifest.
        """
        if self.client is None or client.name != self.client.name or self._taken_down():
            return
        self.client = client
        self.prompt.placeholder = client.placeholder
        for card in self.transcript.query(WelcomeCard):
            await card.update(client.app_name, client.welcome, client.examples)
        if self._taken_down():
            return
        if self.session_key is None and not self.running:
            self.status.model, self.status.offline = client.model, client.offline
        self.post_message(self.StateChanged(self))

    def _taken_down(self) -> bool:
        """True once the app closing has begun removing this pane's children.

        A chat shown while the app exits (quit during start-up or while a session loads) would
        otherwise fail on the status line that is already gone.
        """
        # Either may go first: the removal order is Textual's.
        return not self.query(StatusLine) or not self.query(PromptInput)

    async def close(self) -> None:
        """End this chat before its tab closes: a running answer is cancelled and waited for, so
        what streamed is saved (marked interrupted) before the pane goes."""
        turn = self._turn
        self._leave_turn()
        if turn is not None and not turn.done:
            await turn.wait()

    @property
    def selections(self) -> list[tuple[str, str]]:
        """The plugins selected for this chat's last prompt: (plugin, why) pairs."""
        return list(self._selections)

    # -- a bounded transcript ----------------------------------------------------------------
    def _forget_turns(self) -> None:
        self._heads, self._head, self._prelude, self._earlier = {}, None, 0, 0
        self._system_pending = False

    def _begin_turn(self, prompt: str) -> UserMessage:
        """Return the prompt's widget, now the head of the turn that stored messages count for."""
        self._head = UserMessage(prompt)
        self._heads[self._head] = 0
        return self._head

    def _count_stored(self) -> None:
        """Count one more stored message for the turn being shown (or the window's prelude)."""
        if self._head is not None and self._head in self._heads:
            self._heads[self._head] += 1
        else:
            self._prelude += 1

    @property
    def shown_messages(self) -> int:
        """How many stored (context) messages the transcript shows."""
        return self._prelude + sum(self._heads.values())

    async def _trim(self) -> None:
        """Remove the oldest turns while the transcript has more widgets than LIVE_WIDGETS.

        The last turn always stays whole; nothing moves while the user reads further up (the
        view does not follow the end): the next turn that ends at the end trims instead.
        """
        if self._taken_down() or not self.query("#transcript"):
            return  # the app is closing
        transcript = self.transcript
        if not transcript.following:
            return
        total = len(transcript.query("*"))
        if total <= LIVE_WIDGETS:
            return
        children = list(transcript.children)
        heads = [i for i, child in enumerate(children) if child in self._heads]
        cut, removed = 0, self._prelude
        for start, end in zip(heads, heads[1:], strict=False):
            if total <= LIVE_WIDGETS:
                break
            total -= sum(1 + len(child.query("*")) for child in children[cut:end])
            removed += self._heads.pop(children[start])  # type: ignore[call-overload]
            cut = end
        if not cut:
            return
        self._prelude, self._earlier = 0, self._earlier + removed
        await transcript.remove_children(children[:cut])
        await transcript.mount(EarlierNotice(self._earlier), before=0)

    @on(EarlierNotice.Chosen)
    def _earlier_chosen(self, event: EarlierNotice.Chosen) -> None:
        event.stop()
        if self.running:
            self.notify("An answer is still streaming; press Esc to cancel it first.", severity="warning")
        elif self.session_key is not None:
            self.post_message(self.EarlierRequested(self, self.shown_messages + REOPEN_LAST))

    def _leave_turn(self) -> None:
        """Cancel a running turn (it is saved as interrupted) and stop rendering its events."""
        if self._turn is not None:
            self._turn.cancel()
        self._turn = None
        self.running = False
        self._answer = None

    def _reset_status(self) -> None:
        status = self.status
        if self.client is not None:
            status.model, status.offline = self.client.model, self.client.offline
        status.tokens, status.rounds, status.state = "", 0, "ready"
        status.session_key = self.session_key or ""

    # -- sending -------------------------------------------------------------------------------
    @on(PromptInput.Submitted)
    async def _submitted(self, event: PromptInput.Submitted) -> None:
        event.stop()
        await self.send(event.text)

    @on(WelcomeCard.ExampleChosen)
    async def _example(self, event: WelcomeCard.ExampleChosen) -> None:
        event.stop()
        self.prompt.remember(event.prompt)
        self.focus_prompt()  # the example list is about to scroll away: typing goes on here
        await self.send(event.prompt)

    @_one_change_at_a_time
    async def send(self, prompt: str) -> None:
        """Show the prompt and start a turn; its events are rendered as they arrive."""
        if self.client is None:
            self.notify("Choose a client first.", severity="warning")
            return
        if self.turns is None:
            self.notify("Still starting up: try again in a moment.", severity="warning")
            return
        if self.running:
            self.notify("An answer is still streaming; press Esc to cancel it.", severity="warning")
            return
        self.running = True
        self.debug_log = []
        if self.session_key is not None:
            self._debug_logs[self.session_key] = self.debug_log
        self._cards = {}
        self._answer = None
        self._selections = []
        self.post_message(self.SelectionsChanged(self, []))
        self.status.state, self.status.rounds, self.status.tokens = "thinking…", 0, ""
        await self.transcript.mount(self._begin_turn(prompt))
        self.transcript.anchor()  # sending is "show me the answer": follow it from here
        turn = self._turn = self.turns.start(prompt, client=self.client.name, session_key=self.session_key)
        self._follow(turn)

    @work(group="turn")
    async def _follow(self, turn: Turn) -> None:
        """Render the turn's events batch by batch, until it ends or the chat moves on."""
        async for batch in turn.batches():
            if turn is not self._turn:
                return  # a turn the user left (new chat, other session): it ends on its own
            await self._render_batch(batch)

    def action_cancel(self) -> None:
        """Cancel the running answer (the partial text stays, marked interrupted)."""
        if self._turn is None or self._turn.done:
            return
        self._turn.cancel()
        self.status.state = "cancelling…"

    # -- rendering events ----------------------------------------------------------------------
    async def _render_batch(self, batch: list[TurnUpdate]) -> None:
        """Render events in order; consecutive text deltas become one Markdown append."""
        text: list[str] = []
        for event in batch:
            if isinstance(event, TextDelta):
                text.append(event.text)
                continue
            if text:
                await self._write("".join(text))
                text = []
            await self._render_event(event)
        if text:
            await self._write("".join(text))

    async def _write(self, text: str) -> None:
        answer = self._answer
        if answer is None:
            answer = self._answer = answer_widget()
            await self.transcript.mount(answer)
            self.status.state = "streaming…"
        await answer.write(text)

    async def _render_event(self, event: TurnUpdate) -> None:
        if isinstance(event, UserMessageAdded) and self._system_pending:
            # The session was created with this prompt, and its system prompt with it. (A
            # plugin's systemRole may have been announced first: it does not mark the session.)
            self._system_pending = False
            self._count_stored()
        if isinstance(event, UserMessageAdded | SystemRoleAdded | ToolCallFinished):
            self._count_stored()  # each is one stored message (AssistantMessageAdded: below)
        if isinstance(event, SessionStarted):
            self._system_pending = True
            self.session_key = self.status.session_key = event.session_key
            self._debug_logs[event.session_key] = self.debug_log
        elif isinstance(event, PluginSelected):
            self._selections.append((event.plugin, event.term))
            self.post_message(self.SelectionsChanged(self, list(self._selections)))
        elif isinstance(event, ModelRequestSent):
            self.debug_log.append({"round": event.round, "request": event.request})
        elif isinstance(event, AssistantMessageAdded):
            self._count_stored()
            if event.response:
                self.debug_log.append({"response": event.response})
            answer, self._answer = self._answer, None
            if answer is not None:
                await answer.finish(event.message.interrupted)
        elif isinstance(event, ToolCallStarted):
            card = tool_card(event.call.id, event.call.name, event.call.arguments, event.source)
            self._cards[event.call.id] = card
            await self.transcript.mount(card)
        elif isinstance(event, ToolCallFinished):
            finished = self._cards.get(event.call.id)
            if finished is not None:
                finished.finish(event.result, event.error, event.duration_ms)
        elif isinstance(event, RoundFinished):
            self.status.rounds = event.round
        elif isinstance(event, TurnFinished):
            usage = event.usage
            if usage.total_tokens is not None or usage.prompt_tokens is not None:
                self.status.tokens = f"{usage.prompt_tokens or 0} in / {usage.completion_tokens or 0} out"
            self.status.rounds = event.rounds
        elif isinstance(event, TurnEnded):
            await self._ended(event)

    async def _ended(self, ended: TurnEnded) -> None:
        answer, self._answer = self._answer, None
        if answer is not None:
            await answer.finish(interrupted=ended.state != "ready")
        notice = None
        if ended.state == "error":
            notice = TranscriptNotice("error", ended.error or "The turn failed.")
            if ended.session_key is not None and not self._system_pending:
                self._count_stored()  # stored with its session (a session never created has none)
        elif ended.state == "interrupted":
            notice = TranscriptNotice("interrupted", INTERRUPTED)
        if notice is not None:
            # The app may be closing (SIGTERM/SIGHUP mid-answer): the turn is saved already, and
            # the notice comes back from the stored session when it is reopened.
            with contextlib.suppress(MountError):
                await self.transcript.mount(notice)
        self._head = None
        if notice is None or notice.is_attached:  # not while the app is closing
            await self._trim()
        self._turn = None
        self.running = False
        if ended.session_key is not None:
            self.session_key = ended.session_key
        self.status.state = ended.state
        self.status.session_key = self.session_key or ""
        self.completed_turns += 1
        self.post_message(self.TurnCompleted(self, self.session_key))

    # -- copying -------------------------------------------------------------------------------
    def last_answer(self) -> str:
        """Return the text of the last assistant answer on screen ('' if none)."""
        from smarter_tui.ui.widgets.assistant_message import AssistantMessage

        answers = list(self.transcript.query(AssistantMessage))
        return answers[-1].text if answers else ""

    def last_code_block(self) -> str:
        """Return the last fenced code block of the last answer ('' if none)."""
        blocks = re.findall(r"```[^\n]*\n(.*?)```", self.last_answer(), flags=re.S)
        return blocks[-1].rstrip("\n") if blocks else ""

    def debug_json(self) -> str:
        """Return the model traffic of this session's last turn as JSON, secrets masked.

        A reopened session without a turn in this run shows its stored messages instead (what
        the next request will be built from), so the view is always about the chat on screen.
        """
        entries: list[dict[str, Any]] = self.debug_log
        if not entries and self._shown:
            entries = [
                {
                    "note": "no model call in this session since it was opened; its stored messages:",
                    "messages": [m.to_public() for m in self._shown],
                }
            ]
        return mask_secrets(json.dumps(entries, indent=2, ensure_ascii=False, default=str))
