"""The FastAPI app mounted at /api/v1: bearer-token auth with scopes, JSON errors, and the
endpoints over the services the CLI and chat use (no queries of its own)."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException
from starlette.routing import Match

from adapters.api import schemas as s
from bot.app import App
from bot.core.errors import (
    AftercareError,
    ConflictError,
    IndexNotReadyError,
    InvalidInputError,
    KnowledgeBaseError,
    NotFoundError,
)
from bot.core.i18n import detect_lang
from bot.core.protocols import Tier
from bot.features.accounts.tokens import SCOPES, TokenView
from bot.features.escalation.relay import Relayed
from bot.features.escalation.transcript import transcript
from bot.features.faq.chat import trim
from bot.features.faq.drafts import list_drafts
from bot.features.surveys.report import report_json, survey_report
from bot.features.tickets.service import SlaState, TicketQuery, TicketView
from bot.knowledge.index_files import kb_files
from indexer.content import parse_article, read_unit

MAX_ID = 2**63 - 1
REF_PATTERN = r"^[A-Za-z][A-Za-z0-9]{1,9}-[0-9]{1,9}$"


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def _error(status: int, code: str, message: str, **extra: Any) -> dict[int | str, Any]:
    return {status: {"model": s.ErrorBody, "description": message, **extra}}


_AUTH_ERRORS = {
    **_error(
        401,
        "unauthorized",
        "No token, or an unknown or revoked one",
        headers={"WWW-Authenticate": {"schema": {"type": "string"}}},
    ),
    **_error(403, "forbidden", "The token lacks the scope this endpoint needs"),
    **_error(422, "invalid", "A parameter or the body is invalid; `fields` says which"),
}
_NOT_FOUND = _error(404, "not_found", "No such resource")
_CONFLICT = _error(409, "conflict", "The change is not possible in the current state")
_bearer = HTTPBearer(
    auto_error=False, description="An API token from `aftercare token create NAME --scope ...`"
)


def _app(request: Request) -> App:
    application: App = request.app.state.aftercare
    return application


def require(scope: str) -> Callable[..., Awaitable[TokenView]]:
    """A dependency: the caller's token, which must be live and carry `scope`."""
    assert scope in SCOPES, scope

    async def check(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> TokenView:
        if credentials is None:
            raise _unauthorized("send `Authorization: Bearer <token>`")
        token = await _app(request).api_tokens.verify(credentials.credentials)
        if token is None:
            raise _unauthorized("the token is unknown or revoked")
        if scope not in token.scopes:
            raise ApiError(403, "forbidden", f"this token lacks the scope {scope}")
        _refuse_unknown_query(request)
        return token

    return check


def _refuse_unknown_query(request: Request) -> None:
    """A misspelt filter (`?stauts=new`) is an error, not a silently wider answer."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known = {p.alias for p in route.dependant.query_params}
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise RequestValidationError(
            [{"loc": ("query", name), "msg": "unknown parameter"} for name in unknown]
        )


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, {"WWW-Authenticate": "Bearer"})


def _token(scope: str) -> Any:
    return Depends(require(scope))


AppDep = Annotated[App, Depends(_app)]
Ref = Annotated[str, PathParam(pattern=REF_PATTERN, description="e.g. ACME-7")]
ConversationId = Annotated[int, PathParam(ge=1, le=MAX_ID)]

router = APIRouter()


# --- directory --------------------------------------------------------------------------------


@router.get(
    "/clients",
    response_model=list[s.ClientOut],
    responses=_AUTH_ERRORS,
    dependencies=[_token("clients:read")],
    tags=["directory"],
)
async def list_clients(app: AppDep) -> list[s.ClientOut]:
    return [
        s.ClientOut(code=c.code, name=c.name, created_at=c.created_at)
        for c in await app.directory.list_clients()
    ]


@router.get(
    "/projects",
    response_model=list[s.ProjectOut],
    responses={**_AUTH_ERRORS, **_NOT_FOUND},
    dependencies=[_token("projects:read")],
    tags=["directory"],
)
async def list_projects(
    app: AppDep,
    client: Annotated[str | None, Query(max_length=200, description="Client code or name")] = None,
) -> list[s.ProjectOut]:
    return [_project(p, c) for p, c in await app.directory.list_projects(client)]


@router.get(
    "/projects/{project_id}",
    response_model=s.ProjectOut,
    responses={**_AUTH_ERRORS, **_NOT_FOUND},
    dependencies=[_token("projects:read")],
    tags=["directory"],
)
async def get_project(
    app: AppDep, project_id: Annotated[int, PathParam(ge=1, le=MAX_ID)]
) -> s.ProjectOut:
    return _project(*await app.directory.project(project_id))


@router.get(
    "/contacts",
    response_model=list[s.ContactOut],
    responses={**_AUTH_ERRORS, **_NOT_FOUND},
    dependencies=[_token("contacts:read")],
    tags=["directory"],
)
async def list_contacts(
    app: AppDep,
    client: Annotated[str | None, Query(max_length=200, description="Client code or name")] = None,
) -> list[s.ContactOut]:
    return [
        s.ContactOut(handle=c.handle, name=c.name, client=c.client, identities=list(c.identities))
        for c in await app.directory.list_contacts(client)
    ]


def _project(project: Any, client: Any) -> s.ProjectOut:
    return s.ProjectOut(
        id=project.id,
        client_code=client.code,
        client_name=client.name,
        name=project.name,
        delivered_on=project.delivered_on,
        accepted_on=project.accepted_on,
        warranty_until=project.warranty_until,
        sla_tier=project.sla_tier,
        timezone=project.timezone,
    )


# --- tickets ----------------------------------------------------------------------------------


@router.get(
    "/tickets",
    response_model=s.TicketPage,
    responses={**_AUTH_ERRORS, **_NOT_FOUND},
    dependencies=[_token("tickets:read")],
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
    responses={**_AUTH_ERRORS, **_NOT_FOUND},
    dependencies=[_token("tickets:read")],
    tags=["tickets"],
)
async def get_ticket(app: AppDep, ref: Ref) -> s.TicketDetail:
    """A ticket with its event log."""
    return _detail(await app.tickets.get(ref))


@router.post(
    "/tickets",
    status_code=201,
    response_model=s.TicketDetail,
    responses={**_AUTH_ERRORS, **_NOT_FOUND},
    tags=["tickets"],
)
async def create_ticket(
    app: AppDep, body: s.TicketCreate, token: Annotated[TokenView, _token("tickets:write")]
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
    responses={**_AUTH_ERRORS, **_NOT_FOUND, **_CONFLICT},
    tags=["tickets"],
)
async def change_status(
    app: AppDep,
    ref: Ref,
    body: s.StatusChange,
    token: Annotated[TokenView, _token("tickets:write")],
) -> s.TicketDetail:
    """Move a ticket along (the client is told, with the note)."""
    view = await app.tickets.set_status(ref, body.status, token.actor, body.note)
    return _detail(await app.tickets.get(view.ref))


@router.post(
    "/tickets/{ref}/comments",
    status_code=201,
    response_model=s.TicketDetail,
    responses={**_AUTH_ERRORS, **_NOT_FOUND},
    tags=["tickets"],
)
async def comment_ticket(
    app: AppDep, ref: Ref, body: s.CommentIn, token: Annotated[TokenView, _token("tickets:write")]
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


# --- conversations ----------------------------------------------------------------------------


@router.get(
    "/conversations",
    response_model=list[s.ConversationOut],
    responses=_AUTH_ERRORS,
    dependencies=[_token("conversations:read")],
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
    responses={**_AUTH_ERRORS, **_NOT_FOUND},
    dependencies=[_token("conversations:read")],
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
    responses={**_AUTH_ERRORS, **_NOT_FOUND, **_CONFLICT},
    tags=["conversations"],
)
async def reply(
    app: AppDep,
    conversation_id: ConversationId,
    body: s.ReplyIn,
    token: Annotated[TokenView, _token("conversations:write")],
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
    responses={**_AUTH_ERRORS, **_NOT_FOUND, **_CONFLICT},
    tags=["conversations"],
)
async def hand_back(
    app: AppDep,
    conversation_id: ConversationId,
    token: Annotated[TokenView, _token("conversations:write")],
) -> s.ConversationState:
    """Give the conversation back to the bot; the client gets a short note."""
    view = await app.escalation.hand_back(conversation_id, token.actor)
    return s.ConversationState(conversation_id=view.conversation_id, state=view.state.value)


# --- surveys ----------------------------------------------------------------------------------


@router.get(
    "/surveys",
    response_model=s.SurveyResults,
    responses={**_AUTH_ERRORS, **_NOT_FOUND},
    dependencies=[_token("surveys:read")],
    tags=["surveys"],
)
async def surveys(
    app: AppDep,
    client: Annotated[str | None, Query(max_length=200, description="Client code or name")] = None,
    project: Annotated[str | None, Query(max_length=200, description="Project name")] = None,
) -> s.SurveyResults:
    """CSAT and NPS: totals, per month (UTC), and every survey, oldest first."""
    records = await app.surveys.find(client_ref=client, project=project)
    return s.SurveyResults.model_validate(
        {
            **report_json(survey_report(records)),
            "surveys": [r.__dict__ for r in records],
        }
    )


# --- knowledge --------------------------------------------------------------------------------


@router.get(
    "/knowledge/articles",
    response_model=list[s.ArticleOut],
    responses=_AUTH_ERRORS,
    dependencies=[_token("knowledge:read")],
    tags=["knowledge"],
)
async def articles(app: AppDep) -> list[s.ArticleOut]:
    """The knowledge base's files as articles (a file that does not parse is left out; `aftercare
    index` names it)."""
    kb_dir = app.settings.kb_dir
    found: list[s.ArticleOut] = []
    for path in kb_files(kb_dir) if kb_dir.is_dir() else []:
        name = path.relative_to(kb_dir).as_posix()
        try:
            unit = read_unit(path, name)
        except KnowledgeBaseError:
            continue
        found.extend(
            s.ArticleOut(id=a.id, title=a.title, category=a.category, lang=a.lang, source=name)
            for a in unit.articles
        )
    return found


@router.get(
    "/knowledge/drafts",
    response_model=list[s.DraftOut],
    responses=_AUTH_ERRORS,
    dependencies=[_token("knowledge:read")],
    tags=["knowledge"],
)
async def drafts(app: AppDep) -> list[s.DraftOut]:
    """FAQ drafts learned from staff answers, waiting for `aftercare kb approve ID`."""
    return [_draft(path) for path in list_drafts(app.settings.kb_dir)]


def _draft(path: Path) -> s.DraftOut:
    try:
        article = parse_article(path.read_text(encoding="utf-8"), path.as_posix())
    except (KnowledgeBaseError, OSError, UnicodeDecodeError):
        return s.DraftOut(id=path.name.split(".")[0], file=path.name, title=None, lang=None)
    return s.DraftOut(id=article.id, file=path.name, title=article.title, lang=article.lang)


@router.post(
    "/knowledge/ask",
    response_model=s.AskOut,
    responses={
        **_AUTH_ERRORS,
        **_error(503, "unavailable", "No knowledge base is loaded or its index is not ready"),
    },
    tags=["knowledge"],
    dependencies=[_token("knowledge:read")],
)
async def ask(app: AppDep, body: s.AskIn) -> s.AskOut:
    """Ask as a client would: the cited answer when confident, candidates when unsure."""
    if app.kb is None:
        raise ApiError(503, "unavailable", "no knowledge base is loaded")
    lang = body.lang or detect_lang(body.question)
    try:
        result = await app.kb.lookup(body.question, lang)
    except IndexNotReadyError as exc:
        raise ApiError(503, "unavailable", str(exc)) from None
    citations = [
        s.CitationOut(
            article_id=h.article_id,
            title=h.title,
            section=h.section,
            source=h.source,
            score=h.score,
        )
        for h in result.hits
    ]
    confident = result.tier is Tier.CONFIDENT and bool(result.hits)
    return s.AskOut(
        answered=confident,
        tier=result.tier.value,
        answer=trim(result.hits[0].text) if confident else None,
        citations=citations[:1] if confident else citations[:3],
    )


# --- the app ----------------------------------------------------------------------------------

_STATUS_CODES = {
    NotFoundError: (404, "not_found"),
    InvalidInputError: (422, "invalid"),
    ConflictError: (409, "conflict"),
    IndexNotReadyError: (503, "unavailable"),
}


def build_api(app: App) -> FastAPI:
    """The REST API over `app`; mount it at /api/v1."""
    api = _api()
    api.state.aftercare = app

    async def on_api_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return _json(exc.status, exc.code, exc.message, headers=exc.headers)

    async def on_aftercare_error(_request: Request, exc: Exception) -> JSONResponse:
        for kind, (status, code) in _STATUS_CODES.items():
            if isinstance(exc, kind):
                return _json(status, code, str(exc))
        return _json(500, "error", str(exc))

    async def on_invalid(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        fields = [
            {"field": ".".join(str(p) for p in e.get("loc", ())), "message": str(e.get("msg"))}
            for e in exc.errors()
        ]
        names = ", ".join(f["field"] for f in fields)
        return _json(422, "invalid", f"invalid input: {names}", fields=fields)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        code = {401: "unauthorized", 403: "forbidden", 404: "not_found"}.get(exc.status_code)
        headers = dict(exc.headers or {})
        if exc.status_code == 400:  # a body FastAPI cannot decode (not UTF-8, say)
            fields = [{"field": "body", "message": str(exc.detail)}]
            return _json(422, "invalid", "invalid input: body", fields=fields)
        if exc.status_code == 405:
            # Starlette names the methods of the first route on the path; say all of them.
            methods = {
                m
                for r in api.routes
                if isinstance(r, APIRoute) and r.matches(request.scope)[0] is not Match.NONE
                for m in r.methods or ()
            }
            headers["Allow"] = ", ".join(sorted(methods))
        return _json(exc.status_code, code or "error", str(exc.detail), headers=headers)

    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(AftercareError, on_aftercare_error)
    api.add_exception_handler(RequestValidationError, on_invalid)
    api.add_exception_handler(HTTPException, on_http)
    return api


def openapi_document() -> dict[str, Any]:
    """The API's OpenAPI document, as /api/v1/openapi.json serves it (without `servers`)."""
    return _api().openapi()


def _api() -> FastAPI:
    api = FastAPI(
        title="Aftercare API",
        version="1",
        description="Tickets, conversations, surveys and knowledge for integrations. "
        "Authenticate with `Authorization: Bearer <token>` (`aftercare token create`).",
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        # Unknown routes get the same error shape as the rest.
        responses={**_error(404, "not_found", "No such resource")},
    )
    api.include_router(router)
    return api


def _json(
    status: int,
    code: str,
    message: str,
    *,
    fields: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    error: dict[str, Any] = {"code": code, "message": message}
    if fields is not None:
        error["fields"] = fields
    return JSONResponse({"error": error}, status_code=status, headers=headers)
