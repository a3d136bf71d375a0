"""The OpenAI-compatible model provider: the only module of the project that imports `openai`."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from smarter_tui.domain.errors import ProviderError
from smarter_tui.domain.messages import ToolCall, Usage
from smarter_tui.domain.models import ModelReply, ModelRequest, TextChunk
from smarter_tui.providers import lazy_reexports
from smarter_tui.providers.shapes import completion_dict

if TYPE_CHECKING:  # the SDK is imported lazily, on the first call
    from openai import AsyncOpenAI

# Before the first `import openai` of the process: the SDK's type packages then import only the
# models a call uses (~0.5 s and ~10 MB less; see `lazy_reexports`).
lazy_reexports.install("openai.types")

#: Sent as the API key to keyless local servers (Ollama, llama.cpp, vLLM): the SDK insists on one.
PLACEHOLDER_KEY = "not-needed"

_MAX_SERVER_MESSAGE = 200


class OpenAICompatibleProvider:
    """A model backend speaking the OpenAI chat-completions API (OpenAI, Gemini, Ollama, vLLM...).

    One `AsyncOpenAI` client is created per instance on first use. `timeout` bounds the whole
    model call: every attempt and every wait between attempts (429/5xx/connection failures are
    retried up to `max_retries` times, honouring `retry-after` when it fits in what is left).
    The retries are ours, not the SDK's, so the message can say what really happened. Every
    failure surfaces as a `ProviderError` with a one-line human message without the API key.
    """

    offline = False

    def __init__(
        self,
        name: str,
        base_url: str,
        api_key: str | None,
        default_model: str,
        timeout: float = 60.0,
        max_retries: int = 2,
        http_client: Any = None,
    ) -> None:
        """Configure the provider; no network access and no `openai` import happen here.

        `http_client` (an `openai.DefaultAsyncHttpxClient`) is shared by several providers where
        given: building one costs tens of ms (its TLS context); `aclose` closes it.
        """
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.default_model = default_model
        self.timeout = timeout
        self.max_retries = max_retries
        self.__api_key = api_key  # name-mangled: keep it out of casual attribute dumps
        self._client: AsyncOpenAI | None = None
        self._http_client = http_client

    def __repr__(self) -> str:
        key = "set" if self.__api_key else "none"
        return (
            f"OpenAICompatibleProvider(name={self.name!r}, base_url={self.base_url!r}, "
            f"default_model={self.default_model!r}, api_key=<{key}>)"
        )

    @property
    def has_api_key(self) -> bool:
        """Return True when a real API key (not the keyless placeholder) is configured."""
        return bool(self.__api_key)

    # -- client ----------------------------------------------------------------------------

    def _get_client(self) -> AsyncOpenAI:
        """Return the instance's `AsyncOpenAI` client, creating it (and importing openai) once."""
        if self._client is None:
            from openai import AsyncOpenAI

            self._client = AsyncOpenAI(
                api_key=self.__api_key or PLACEHOLDER_KEY,
                base_url=self.base_url,
                timeout=self.timeout,
                max_retries=0,  # retried in `complete`, within one deadline
                http_client=self._http_client,
            )
        return self._client

    def prepare(self) -> None:
        """Create the SDK client now (importing openai and its chat resources), so the first call
        does not wait for it."""
        _ = self._get_client().chat.completions

    async def aclose(self) -> None:
        """Close the HTTP client (idempotent); a later call opens a new one."""
        client, self._client = self._client, None
        if client is not None:
            await client.close()

    # -- the call --------------------------------------------------------------------------

    def _arguments(self, request: ModelRequest) -> dict[str, Any]:
        """Return the keyword arguments of `chat.completions.create` for `request`."""
        kwargs: dict[str, Any] = {
            "model": request.model or self.default_model,
            "messages": request.messages,
        }
        if request.tools:  # never send `tools: []`: several servers reject it
            kwargs["tools"] = request.tools
        if request.temperature is not None:  # 0.0 is a real temperature
            kwargs["temperature"] = request.temperature
        if request.max_tokens is not None:
            kwargs["max_tokens"] = request.max_tokens
        return kwargs

    async def complete(self, request: ModelRequest) -> AsyncIterator[TextChunk | ModelReply]:
        """Call the model; yield `TextChunk`s as text arrives, then exactly one `ModelReply`.

        Raises `ProviderError` when the server cannot be reached, answers with an error status,
        rate-limits beyond the retries, or drops the stream before the answer is complete.
        Closing the generator (or cancelling its consumer) closes the HTTP stream at once.
        """
        import asyncio

        kwargs = self._arguments(request)
        started = time.monotonic()
        attempts = 0
        while True:
            attempts += 1
            remaining = max(self.timeout - (time.monotonic() - started), 0.001)
            try:
                if request.stream:
                    async for item in self._stream(kwargs, remaining):
                        yield item
                else:
                    reply = await self._once(kwargs, remaining)
                    if reply.content:
                        yield TextChunk(reply.content)
                    yield reply
                return
            except _NoAnswer as failed:
                elapsed = time.monotonic() - started
                wait = _retry_wait(failed.error, attempts)
                fits = wait is not None and elapsed + wait < self.timeout
                if attempts <= self.max_retries and fits and _retryable(failed.error):
                    await asyncio.sleep(wait or 0.0)
                    continue
                raise self._error(failed.error, attempts, elapsed, wait) from failed.error

    async def list_models(self) -> list[str]:
        """Return the model ids the server's `GET /models` lists, sorted. Raises ProviderError."""
        import openai

        try:
            page = await self._get_client().models.list()
        except openai.OpenAIError as exc:
            raise self._error(exc) from exc
        return sorted(model.id for model in page.data)

    async def _once(self, kwargs: dict[str, Any], timeout: float) -> ModelReply:
        """Make one non-streaming call and convert the chat.completion (_NoAnswer on failure)."""
        import openai

        try:
            completion = await self._get_client().chat.completions.create(**kwargs, timeout=timeout)
        except openai.OpenAIError as exc:
            raise _NoAnswer(exc) from exc
        if not completion.choices:
            raise ProviderError(f"The model server at {self.base_url} returned no choices.")
        choice = completion.choices[0]
        message = choice.message
        calls = [
            ToolCall(id=c.id or f"call_{i}", name=c.function.name, arguments=c.function.arguments)
            for i, c in enumerate(message.tool_calls or [])
            if getattr(c, "function", None) is not None
        ]
        usage = _usage(completion.usage)
        model = completion.model or kwargs["model"]
        content = message.content or ""
        return ModelReply(
            content=content,
            tool_calls=calls,
            finish_reason=choice.finish_reason,
            usage=usage,
            model=model,
            response=completion_dict(
                completion.id, completion.created, model, content, calls, choice.finish_reason, usage
            ),
        )

    async def _stream(self, kwargs: dict[str, Any], timeout: float) -> AsyncIterator[TextChunk | ModelReply]:
        """Make one streaming call: yield text as it comes, assemble tool calls, then the reply.

        Raises _NoAnswer when the call fails before the stream starts (it may be retried),
        ProviderError when it fails later (text was already shown: never retried).
        """
        import openai

        client = self._get_client()
        try:
            stream = await client.chat.completions.create(
                **kwargs, stream=True, stream_options={"include_usage": True}, timeout=timeout
            )
        except openai.OpenAIError as exc:
            raise _NoAnswer(exc) from exc

        text: list[str] = []
        calls: dict[int, dict[str, str]] = {}
        finish_reason: str | None = None
        usage = Usage()
        completion_id, created, model = "", 0, kwargs["model"]
        try:
            async for chunk in stream:
                completion_id = chunk.id or completion_id
                created = chunk.created or created
                model = chunk.model or model
                if chunk.usage is not None:
                    usage = _usage(chunk.usage)
                for choice in chunk.choices[:1]:
                    delta = choice.delta
                    if delta is not None and delta.content:
                        text.append(delta.content)
                        yield TextChunk(delta.content)
                    if delta is not None and delta.tool_calls:
                        _merge_tool_calls(calls, delta.tool_calls)
                    if choice.finish_reason:
                        finish_reason = choice.finish_reason
        except openai.APIConnectionError as exc:
            if isinstance(exc, openai.APITimeoutError):
                raise self._error(exc) from exc
            raise ProviderError(
                f"The connection to {self.base_url} dropped in the middle of the answer."
            ) from exc
        except openai.OpenAIError as exc:
            raise self._error(exc) from exc
        finally:
            await stream.close()

        if finish_reason is None:
            raise ProviderError(
                f"The model server at {self.base_url} ended the stream before the answer was complete."
            )
        tool_calls = [
            ToolCall(id=c["id"] or f"call_{index}", name=c["name"], arguments=c["arguments"])
            for index, c in sorted(calls.items())
        ]
        content = "".join(text)
        yield ModelReply(
            content=content,
            tool_calls=tool_calls,
            finish_reason=finish_reason,
            usage=usage,
            model=model,
            response=completion_dict(
                completion_id or f"chatcmpl-{int(time.time() * 1000)}",
                created or int(time.time()),
                model,
                content,
                tool_calls,
                finish_reason,
                usage,
            ),
        )

    # -- errors ----------------------------------------------------------------------------

    def _error(
        self,
        exc: BaseException,
        attempts: int = 1,
        elapsed: float | None = None,
        wait: float | None = None,
    ) -> ProviderError:
        """Translate an SDK exception into a `ProviderError` with a short, truthful message.

        `attempts` and `elapsed` say what was really tried; `wait` is the pause the server asked
        for (or the back-off) that did not fit in the time left.
        """
        import openai

        status: int | None = None
        tries = "" if attempts == 1 else f" ({attempts} attempts)"
        if isinstance(exc, openai.APITimeoutError):
            message = f"The model server at {self.base_url} did not answer within {self.timeout:g} s{tries}."
        elif isinstance(exc, openai.APIConnectionError):
            message = f"Cannot reach {self.base_url}: {_connection_reason(exc)}{tries}"
        elif isinstance(exc, openai.RateLimitError):
            status = 429
            retried = attempts - 1
            message = "Rate limited by the provider (429)"
            if retried:
                message += f" after {retried} {'retry' if retried == 1 else 'retries'}"
            asked = _retry_after(exc)
            if asked is not None and asked + (elapsed or 0.0) >= self.timeout:
                message += (
                    f"; it asked to wait {asked:g} s, longer than the {self.timeout:g} s allowed "
                    "for a model call"
                )
            detail = _server_message(exc.body)
            if detail:
                message += f": {detail}"
        elif isinstance(exc, openai.AuthenticationError):
            status = exc.status_code
            message = f"The model server rejected the API key ({status})"
            detail = _server_message(exc.body)
            if detail:
                message += f": {detail}"
        elif isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            detail = _server_message(exc.body) or exc.response.reason_phrase or "no details"
            message = f"The model server returned {status}: {detail}"
        elif isinstance(exc, openai.APIError):
            message = f"The model server reported an error: {_server_message(exc.body) or exc.message}"
        else:
            message = f"The model call failed: {type(exc).__name__}: {exc}"
        return ProviderError(self._scrub(message), status)

    def _scrub(self, text: str) -> str:
        """Remove the API key from any text before it leaves this object."""
        key = self.__api_key
        if key and len(key) >= 4:
            text = text.replace(key, "****")
        return text


class _NoAnswer(Exception):
    """A model call failed before any output: `complete` decides whether to try again."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


def _retryable(exc: BaseException) -> bool:
    """Return True for failures worth another attempt (like the SDK: 408/409/429/5xx, network)."""
    import openai

    if isinstance(exc, openai.APIConnectionError):  # includes timeouts
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in (408, 409, 429) or exc.status_code >= 500
    return False


def _retry_after(exc: BaseException) -> float | None:
    """Return the pause (seconds) a server asked for with retry-after(-ms), if any."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(float(value) / scale, 0.0)
        except ValueError:
            continue
    return None


def _retry_wait(exc: BaseException, attempts: int) -> float | None:
    """Return how long to wait before the next attempt: the server's wish, else a back-off."""
    asked = _retry_after(exc)
    return asked if asked is not None else min(0.5 * 2 ** (attempts - 1), 8.0)


def _usage(raw: Any) -> Usage:
    """Convert an SDK usage object (or None) into a domain `Usage`."""
    if raw is None:
        return Usage()
    return Usage(
        prompt_tokens=getattr(raw, "prompt_tokens", None),
        completion_tokens=getattr(raw, "completion_tokens", None),
        total_tokens=getattr(raw, "total_tokens", None),
    )


def _merge_tool_calls(calls: dict[int, dict[str, str]], fragments: Any) -> None:
    """Fold streamed tool-call fragments into `calls`, keyed by the fragment's index."""
    for fragment in fragments:
        index = fragment.index
        if index is None:  # some servers omit the index: match by id, else append
            ids = {c["id"]: i for i, c in calls.items()}
            index = ids.get(fragment.id, len(calls)) if fragment.id else max(calls, default=0)
        slot = calls.setdefault(index, {"id": "", "name": "", "arguments": ""})
        if fragment.id:
            slot["id"] = fragment.id
        function = fragment.function
        if function is None:
            continue
        if function.name and function.name != slot["name"]:
            # OpenAI sends the name once; a few servers repeat it whole or split it.
            slot["name"] = function.name if not slot["name"] else slot["name"] + function.name
        if function.arguments:
            slot["arguments"] += function.arguments


def _server_message(body: object) -> str:
    """Return the server's own short error message from an error body, if any."""
    message: object = body
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else inner
        if message is None and isinstance(body.get("detail"), str):
            message = body["detail"]
    if not isinstance(message, str):
        return ""
    message = " ".join(message.split())
    if len(message) > _MAX_SERVER_MESSAGE:
        message = message[: _MAX_SERVER_MESSAGE - 1] + "…"
    return message


def _connection_reason(exc: BaseException) -> str:
    """Return why a connection failed, in a few words ("connection refused", ...)."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    texts: list[str] = []
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        texts.append(str(cause))
        cause = cause.__cause__ or cause.__context__
    joined = " ".join(texts).lower()
    if "refused" in joined:
        return "connection refused"
    if "name or service not known" in joined or "nodename nor servname" in joined:
        return "unknown host name"
    if "getaddrinfo" in joined or "name resolution" in joined:
        return "the host name could not be resolved"
    if "ssl" in joined or "certificate" in joined:
        return "TLS/SSL handshake failed"
    if "reset" in joined:
        return "connection reset"
    return "connection failed"
