"""The JARVIS conversation API of seed 004 (SMARTER-API.md §7): `POST /prompt`, `GET /conversation/{id}`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from smarter_tui.domain.errors import NotFoundError
from smarter_tui.domain.records import SessionInfo
from smarter_tui.server.schemas import ERRORS, JarvisConversation, JarvisPromptResponse
from smarter_tui.server.security import Authorization, check_client_access, services_of
from smarter_tui.server.turns import answer, finish
from smarter_tui.services import Services
from smarter_tui.services.envelopes import jarvis_prompt_response
from smarter_tui.services.sessions import SESSION_KEY

router = APIRouter(tags=["jarvis"])


def _conversation(services: Services, conversation_id: str) -> SessionInfo:
    """Return the session of a conversation id; any unknown id (whatever its form) is a 404."""
    if not SESSION_KEY.match(conversation_id):
        raise NotFoundError(f"No conversation with id {conversation_id[:80]!r}")
    return services.sessions.session(conversation_id)


@router.post(
    "/prompt",
    summary="Send Prompt",
    response_model=JarvisPromptResponse,
    responses={**ERRORS, 502: ERRORS[400]},
)
async def send_prompt(
    request: Request,
    prompt: Annotated[str, Query(description="The user's message")],
    authorization: Authorization,
    conversation_id: Annotated[str | None, Query(description="Continue this conversation")] = None,
) -> JSONResponse:
    """Create (no `conversation_id`) or continue a conversation; answer only what this turn added.

    A new conversation is with the client of the request's host name, else the default client.
    """
    services = services_of(request)
    if conversation_id:
        info = _conversation(services, conversation_id)
        client = services.resources.client_entry(info.client)
    else:
        # On a client's host (`shop.localhost`, a custom domain) a new conversation is that client's.
        info = None
        chosen = getattr(request.state, "host_client", None) or request.app.state.default_client
        client = services.resources.client_entry(chosen)
    check_client_access(request, client, authorization)
    task = request.app.state.turns.start(
        services.sessions.send(
            prompt, client=client.name, session_key=info.session_key if info else None, stream=False
        )
    )
    outcome = await finish(task)
    if outcome.error or outcome.interrupted:
        status, document = answer(outcome, client.name, v2=False)
        return JSONResponse(document, status_code=status)
    return JSONResponse(jarvis_prompt_response(outcome))


@router.get(
    "/conversation/{conversation_id}",
    summary="Get Conversation",
    response_model=JarvisConversation,
    responses=ERRORS,
)
def get_conversation(request: Request, conversation_id: str, authorization: Authorization) -> JSONResponse:
    """Return a conversation in its entirety, system prompt first."""
    services = services_of(request)
    info = _conversation(services, conversation_id)
    check_client_access(request, services.resources.client_entry(info.client), authorization)
    conversation = services.history.conversation(info.session_key)
    return JSONResponse({"conversation_id": info.session_key, "messages": conversation["messages"]})
