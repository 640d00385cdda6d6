"""Conversation endpoints: who waits for a person, a transcript, a staff reply, and handing a
conversation back to the bot."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header

from adapters.api import schemas as s
from adapters.api.auth import AppDep, token_with
from adapters.api.errors import AUTH_ERRORS, CONFLICT, NOT_FOUND
from adapters.api.params import ConversationId
from bot.core.errors import ConflictError
from bot.features.accounts.tokens import TokenView
from bot.features.escalation.relay import Relayed
from bot.features.escalation.transcript import transcript

router = APIRouter()


@router.get(
    "/conversations",
    response_model=list[s.ConversationOut],
    responses=AUTH_ERRORS,
    dependencies=[token_with("conversations:read")],
    tags=["conversations"],
)
async def list_conversations(app: AppDep) -> list[s.ConversationOut]:
    """Conversations waiting for a person or with one, oldest change first."""
    return [
        s.ConversationOut(
            id=w.view.conversation_id,
            state=w.view.state.value,
            taken_by=w.view.taken_by,
            reason=w.view.reason,
            who=w.who,
            client=w.client,
            channel=w.channel,
            since=w.since,
        )
        for w in await app.escalation.states.waiting()
    ]


@router.get(
    "/conversations/{conversation_id}/messages",
    response_model=s.TranscriptOut,
    responses={**AUTH_ERRORS, **NOT_FOUND},
    dependencies=[token_with("conversations:read")],
    tags=["conversations"],
)
async def conversation_messages(app: AppDep, conversation_id: ConversationId) -> s.TranscriptOut:
    """The transcript: messages, staff replies and handoff changes in time order."""
    found = await transcript(app.db, conversation_id)
    return s.TranscriptOut(
        conversation_id=found.conversation_id,
        channel=found.channel,
        chat_id=found.chat_id,
        client=found.client,
        contact=found.contact,
        state=found.state,
        messages=[
            s.LineOut(at=line.at, who=line.who, text=line.text, kind=line.kind)
            for line in found.lines
        ],
    )


@router.post(
    "/conversations/{conversation_id}/reply",
    response_model=s.ReplyOut,
    responses={**AUTH_ERRORS, **NOT_FOUND, **CONFLICT},
    tags=["conversations"],
)
async def reply(
    app: AppDep,
    conversation_id: ConversationId,
    body: s.ReplyIn,
    token: Annotated[TokenView, token_with("conversations:write")],
    idempotency_key: Annotated[
        str | None,
        Header(max_length=100, description="Sending the same key again sends nothing more"),
    ] = None,
) -> s.ReplyOut:
    """Answer the client on their own channel, signed with the token's name, as a staff reply
    in the Slack thread does (a waiting conversation is taken by it)."""
    key = f"api:{token.name}:{idempotency_key or uuid.uuid4().hex}"
    relayed = await app.escalation.relay.staff_reply(
        conversation_id, body.text, token.actor, key=key
    )
    if relayed is Relayed.NOT_SENT:
        raise ConflictError(
            f"conversation {conversation_id} is with the bot; nobody asked for a person"
        )
    return s.ReplyOut(result="sent" if relayed is Relayed.SENT else "duplicate")


@router.post(
    "/conversations/{conversation_id}/hand-back",
    response_model=s.ConversationState,
    responses={**AUTH_ERRORS, **NOT_FOUND, **CONFLICT},
    tags=["conversations"],
)
async def hand_back(
    app: AppDep,
    conversation_id: ConversationId,
    token: Annotated[TokenView, token_with("conversations:write")],
) -> s.ConversationState:
    """Give the conversation back to the bot; the client gets a short note."""
    view = await app.escalation.hand_back(conversation_id, token.actor)
    return s.ConversationState(conversation_id=view.conversation_id, state=view.state.value)
