"""What the REST API reads and returns (pydantic models; the OpenAPI document is built from them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.features.tickets.service import CATEGORIES

Severity = Literal["P1", "P2", "P3", "P4"]
Category = Literal[CATEGORIES]  # type: ignore[valid-type]
TicketStatus = Literal[
    "new", "acknowledged", "in_progress", "waiting_on_client", "resolved", "closed", "reopened"
]
SlaState = Literal["breached", "due_soon"]
# What staff may move a ticket to (reopen has its own action, open tickets start as new).
StatusTarget = Literal["acknowledged", "in_progress", "waiting_on_client", "resolved", "closed"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FieldError(BaseModel):
    field: str = Field(description="Where the bad value is: body.title, query.limit, path.ref")
    message: str


class ErrorDetail(BaseModel):
    code: Literal[
        "unauthorized", "forbidden", "not_found", "invalid", "conflict", "unavailable", "error"
    ]
    message: str
    fields: list[FieldError] | None = None


class ErrorBody(BaseModel):
    """Every error: {"error": {"code", "message", "fields" (422 only)}}."""

    error: ErrorDetail


class ClientOut(BaseModel):
    code: str
    name: str
    created_at: datetime


class ProjectOut(BaseModel):
    id: int
    client_code: str
    client_name: str
    name: str
    delivered_on: date
    accepted_on: date | None
    warranty_until: date | None
    sla_tier: str
    timezone: str


class ContactOut(BaseModel):
    handle: str
    name: str
    client: str
    identities: list[str]


class TicketOut(BaseModel):
    ref: str = Field(examples=["ACME-7"])
    client_code: str
    project: str
    title: str
    description: str
    category: str
    severity: str
    status: str
    assignee: str | None
    reporter: str | None
    conversation_id: int | None
    created_at: datetime
    first_response_due: datetime
    first_response_at: datetime | None
    resolution_due: datetime
    resolved_at: datetime | None


class TicketEventOut(BaseModel):
    at: datetime
    actor: str
    kind: str
    text: str | None


class TicketDetail(TicketOut):
    events: list[TicketEventOut]


class TicketPage(BaseModel):
    items: list[TicketOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page"
    )


class TicketCreate(_In):
    client: str = Field(min_length=1, max_length=200, description="Client code or name")
    project: str | None = Field(
        default=None, max_length=200, description="Project name; optional if the client has one"
    )
    title: str = Field(min_length=1, max_length=200, pattern=r"\S")
    description: str = Field(default="", max_length=20000)
    severity: Severity = "P3"
    category: Category = "bug"


class StatusChange(_In):
    status: StatusTarget
    note: str = Field(default="", max_length=2000, description="Sent to the client with the change")


class CommentIn(_In):
    text: str = Field(min_length=1, max_length=20000, pattern=r"\S")


class ConversationOut(BaseModel):
    id: int
    state: Literal["waiting_for_human", "human"]
    taken_by: str | None
    reason: str | None
    who: str
    client: str | None
    channel: str
    since: datetime


class LineOut(BaseModel):
    at: datetime
    who: str
    text: str
    kind: Literal["in", "out", "staff", "state"]


class TranscriptOut(BaseModel):
    conversation_id: int
    channel: str
    chat_id: str
    client: str | None
    contact: str | None
    state: str
    messages: list[LineOut]


class ReplyIn(_In):
    text: str = Field(min_length=1, max_length=4000, pattern=r"\S")


class ReplyOut(BaseModel):
    result: Literal["sent", "duplicate"] = Field(
        description="duplicate: this Idempotency-Key was sent already"
    )


class ConversationState(BaseModel):
    conversation_id: int
    state: str


class Scores(BaseModel):
    sent: int
    answered: int
    skipped: int
    response_rate: float | None
    average: float | None


class NpsScores(Scores):
    nps: float | None
    promoters: int
    detractors: int


class MonthOut(BaseModel):
    month: str
    csat: Scores
    nps: NpsScores


class SurveyOut(BaseModel):
    kind: str
    state: str
    score: int | None
    created_at: datetime
    client: str
    project: str


class SurveyResults(BaseModel):
    csat: Scores
    nps: NpsScores
    months: list[MonthOut]
    surveys: list[SurveyOut]


class ArticleOut(BaseModel):
    id: str
    title: str
    category: str
    lang: str
    source: str


class DraftOut(BaseModel):
    id: str
    file: str
    title: str | None
    lang: str | None


class AskIn(_In):
    question: str = Field(min_length=1, max_length=1000, pattern=r"\S")
    lang: Literal["en", "zh"] | None = Field(default=None, description="Detected when absent")


class CitationOut(BaseModel):
    article_id: str
    title: str
    section: str
    source: str
    score: float


class AskOut(BaseModel):
    answered: bool
    tier: Literal["confident", "unsure", "low"]
    answer: str | None = Field(description="The cited section when confident; else null")
    citations: list[CitationOut] = Field(description="The answer's source, or the candidates")
