"""Ticket endpoints: the filtered list a page at a time (with its opaque cursor), one ticket with
its events, and opening, moving along and commenting on tickets."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError

from adapters.api import schemas as s
from adapters.api.auth import AppDep, token_with
from adapters.api.errors import AUTH_ERRORS, CONFLICT, NOT_FOUND
from adapters.api.params import MAX_ID, Ref
from bot.features.accounts.tokens import TokenView
from bot.features.tickets.service import SlaState, TicketQuery, TicketView

router = APIRouter()


@router.get(
    "/tickets",
    response_model=s.TicketPage,
    responses={**AUTH_ERRORS, **NOT_FOUND},
    dependencies=[token_with("tickets:read")],
    tags=["tickets"],
)
async def list_tickets(
    app: AppDep,
    client: Annotated[str | None, Query(max_length=200, description="Client code or name")] = None,
    project: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Project id")] = None,
    status: Annotated[list[s.TicketStatus] | None, Query(description="Repeat for several")] = None,
    severity: s.Severity | None = None,
    assignee: Annotated[str | None, Query(max_length=100)] = None,
    sla: Annotated[
        s.SlaState | None,
        Query(description="breached: a due time passed; due_soon: one falls due within the hour"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[
        str | None, Query(max_length=200, description="next_cursor of the previous page")
    ] = None,
) -> s.TicketPage:
    """Tickets, newest first, a page at a time."""
    query = TicketQuery(
        client_ref=client,
        project_id=project,
        statuses=tuple(status) if status else None,
        severity=severity,
        assignee=assignee,
        sla=SlaState(sla) if sla else None,
    )
    page = await app.tickets.page(query, after=_decode(cursor), limit=limit)
    return s.TicketPage(
        items=[_ticket(v) for v in page.items],
        next_cursor=_encode(page.next_after) if page.next_after else None,
    )


@router.get(
    "/tickets/{ref}",
    response_model=s.TicketDetail,
    responses={**AUTH_ERRORS, **NOT_FOUND},
    dependencies=[token_with("tickets:read")],
    tags=["tickets"],
)
async def get_ticket(app: AppDep, ref: Ref) -> s.TicketDetail:
    """A ticket with its event log."""
    return _detail(await app.tickets.get(ref))


@router.post(
    "/tickets",
    status_code=201,
    response_model=s.TicketDetail,
    responses={**AUTH_ERRORS, **NOT_FOUND},
    tags=["tickets"],
)
async def create_ticket(
    app: AppDep, body: s.TicketCreate, token: Annotated[TokenView, token_with("tickets:write")]
) -> s.TicketDetail:
    """Open a ticket for a client's project (staff are told, as for any new ticket)."""
    project, _ = await app.directory.project_of_client(body.client, body.project)
    view = await app.tickets.open(
        project_id=project.id,
        title=body.title,
        description=body.description,
        severity=body.severity,
        category=body.category,
        actor=token.actor,
    )
    return _detail(await app.tickets.get(view.ref))


@router.post(
    "/tickets/{ref}/status",
    response_model=s.TicketDetail,
    responses={**AUTH_ERRORS, **NOT_FOUND, **CONFLICT},
    tags=["tickets"],
)
async def change_status(
    app: AppDep,
    ref: Ref,
    body: s.StatusChange,
    token: Annotated[TokenView, token_with("tickets:write")],
) -> s.TicketDetail:
    """Move a ticket along (the client is told, with the note)."""
    view = await app.tickets.set_status(ref, body.status, token.actor, body.note)
    return _detail(await app.tickets.get(view.ref))


@router.post(
    "/tickets/{ref}/comments",
    status_code=201,
    response_model=s.TicketDetail,
    responses={**AUTH_ERRORS, **NOT_FOUND},
    tags=["tickets"],
)
async def comment_ticket(
    app: AppDep,
    ref: Ref,
    body: s.CommentIn,
    token: Annotated[TokenView, token_with("tickets:write")],
) -> s.TicketDetail:
    """A staff comment; the client receives it when the ticket came from a conversation."""
    view = await app.tickets.comment(ref, body.text, token.actor)
    return _detail(await app.tickets.get(view.ref))


def _ticket(v: TicketView) -> s.TicketOut:
    return s.TicketOut(
        ref=v.ref,
        client_code=v.client_code,
        project=v.project,
        title=v.title,
        description=v.description,
        category=v.category,
        severity=v.severity,
        status=v.status,
        assignee=v.assignee,
        reporter=v.reporter,
        conversation_id=v.conversation_id,
        created_at=v.created_at,
        first_response_due=v.first_response_due,
        first_response_at=v.first_response_at,
        resolution_due=v.resolution_due,
        resolved_at=v.resolved_at,
    )


def _detail(v: TicketView) -> s.TicketDetail:
    events = [s.TicketEventOut(at=e.at, actor=e.actor, kind=e.kind, text=e.text) for e in v.events]
    return s.TicketDetail(**_ticket(v).model_dump(), events=events)


def _encode(after: tuple[datetime, int]) -> str:
    raw = json.dumps([after[0].isoformat(), after[1]]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str | None) -> tuple[datetime, int] | None:
    if cursor is None:
        return None
    try:
        at, last = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        when = datetime.fromisoformat(at)
        if type(last) is not int or when.tzinfo is None or not 0 < last <= MAX_ID:
            raise ValueError(cursor)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise RequestValidationError(
            [{"loc": ("query", "cursor"), "msg": "not a cursor this API returned"}]
        ) from None
    return when, last
