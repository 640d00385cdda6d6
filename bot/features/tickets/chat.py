"""Ticket commands and text handlers for clients: /ticket, /mytickets, /status, /comment,
/reopen, /cancel, the form's buttons, and plain 'something is broken' requests."""

from __future__ import annotations

import re

from bot.core.commands import not_linked
from bot.core.engine import Context
from bot.core.errors import ConflictError, InvalidInputError
from bot.core.i18n import say, t
from bot.core.localtime import local_time
from bot.core.messages import Button, Reply
from bot.features.tickets.flow import FLOW, TicketFlow
from bot.features.tickets.phrases import PHRASES, STATUS_NAMES
from bot.features.tickets.service import (
    OPEN_STATUSES,
    Status,
    TicketNotFound,
    TicketService,
    TicketView,
)
from bot.storage.db import Database
from bot.storage.models import Client

COMMENT_FLOW = "ticket_comment"

# Explicit requests to report something: they start the form at the title question.
_REPORT = (
    re.compile(
        r"\b(i\s+(want|need|would\s+like|'d\s+like)\s+to\s+|can\s+i\s+|let\s+me\s+|please\s+)?"
        r"(report|file|open|raise|submit|log)\s+(a|an|the)?\s*(new\s+)?"
        r"(bug|problem|issue|ticket|incident|defect)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"(我要|我想|想|要|帮我|请)(报告|提交|报|提|开|反馈)(一个|个)?(问题|故障|bug|工单|缺陷)",
        re.IGNORECASE,
    ),
    re.compile(r"^(提交工单|报告问题|报修|报障|反馈问题)$"),
)
# Symptoms stated as facts ("the export is broken"): the text becomes the ticket's title.
_SYMPTOM = (
    re.compile(
        r"\b(is|are|was|has\s+been|seems?|keeps?)\s+(broken|down|crashing|failing|not\s+working)\b"
        r"|\b(doesn't|does\s+not|won't|will\s+not|can't|cannot)\s+(work|load|open|start|save|export|log\s*in)\b"
        r"|\b(stopped\s+working)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"(坏了|崩溃|宕机|挂了|打不开|无法(使用|登录|导出|打开|保存)|不能(用|登录|导出)|报错|出错了)"
    ),
)
# Questions go to the FAQ even when they mention a symptom ("how do I fix a broken export?").
_QUESTION = re.compile(
    r"^\s*(how|what|why|when|where|which|who|can|could|should|is|are|do|does)\b|[?？]\s*$"
    r"|怎么|如何|为什么|吗[?？。]?\s*$|呢[?？]?\s*$",
    re.IGNORECASE,
)


# "How do I report an incident?" asks how, it does not ask for a ticket; "can I open a ticket?" does.
_HOW_QUESTION = re.compile(
    r"^\s*(how|what|why|when|where|which|who)\b|怎么|如何|为什么|怎样|哪里|在哪", re.IGNORECASE
)


def looks_like_report(text: str) -> bool:
    return not _HOW_QUESTION.search(text) and any(p.search(text) for p in _REPORT)


def looks_like_symptom(text: str) -> bool:
    return not _QUESTION.search(text) and any(p.search(text) for p in _SYMPTOM)


class TicketChat:
    """The client-facing side of tickets; every lookup is scoped to the sender's client."""

    def __init__(self, tickets: TicketService, db: Database) -> None:
        self._tickets = tickets
        self._db = db
        self.flow = TicketFlow(tickets, db)

    # --- commands ------------------------------------------------------------------------

    async def ticket_command(self, ctx: Context, args: str) -> list[Reply]:
        return await self.flow.start(ctx, args)

    async def cancel_command(self, ctx: Context, _args: str) -> list[Reply]:
        return await self.flow.cancel(ctx)

    async def my_tickets(self, ctx: Context, _args: str) -> list[Reply]:
        if ctx.turn.client_id is None:
            return [not_linked(ctx.lang)]
        tickets = await self._tickets.find(ctx.turn.client_id, statuses=OPEN_STATUSES, limit=20)
        if not tickets:
            return [Reply(say(PHRASES, "no_tickets", ctx.lang), kind="ticket_list")]
        lines = [say(PHRASES, "my_tickets", ctx.lang)]
        lines += [
            f"{v.ref} [{v.severity}] {say(STATUS_NAMES, v.status, ctx.lang)} - {v.title}"
            for v in tickets
        ]
        return [Reply("\n".join(lines), kind="ticket_list")]

    async def status(self, ctx: Context, args: str) -> list[Reply]:
        if not args.strip():
            return await self.my_tickets(ctx, "")
        if ctx.turn.client_id is None:
            return [not_linked(ctx.lang)]
        try:
            view = await self._tickets.get(args.split()[0], ctx.turn.client_id)
        except TicketNotFound as exc:
            return [self._not_found(ctx, exc.ref)]
        return [self._status_reply(ctx, view)]

    async def comment_command(self, ctx: Context, args: str) -> list[Reply]:
        if ctx.turn.client_id is None:
            return [not_linked(ctx.lang)]
        ref, _, text = args.strip().partition(" ")
        if not ref:
            example = await self._example(ctx.turn.client_id)
            return [Reply(say(PHRASES, "comment_usage", ctx.lang, example=example))]
        if not text.strip():
            return await self._ask_comment(ctx, ref)
        return await self._comment(ctx, ref, text)

    async def reopen_command(self, ctx: Context, args: str) -> list[Reply]:
        if ctx.turn.client_id is None:
            return [not_linked(ctx.lang)]
        ref, _, reason = args.strip().partition(" ")
        if not ref:
            example = await self._example(ctx.turn.client_id)
            return [Reply(say(PHRASES, "reopen_usage", ctx.lang, example=example))]
        try:
            view = await self._tickets.reopen(ref, ctx.actor, ctx.turn.client_id, reason)
        except TicketNotFound as exc:
            return [self._not_found(ctx, exc.ref)]
        except ConflictError as exc:
            return [Reply(say(PHRASES, "cannot_reopen", ctx.lang, reason=str(exc)))]
        return [Reply(say(PHRASES, "reopened", ctx.lang, ref=view.ref), kind="ticket_reopened")]

    # --- buttons and text ------------------------------------------------------------------

    async def on_button(self, ctx: Context, action: str) -> list[Reply]:
        """`ticket:new`, the form's buttons, and `ticket:cm:N` / `ticket:ro:N` on a ticket."""
        if action == "new":
            return await self.flow.start(ctx)
        if action[:3] in ("cm:", "ro:") and action[3:].isdigit():
            if ctx.turn.client_id is None:
                return [not_linked(ctx.lang)]
            ref = f"{await self._code(ctx.turn.client_id)}-{action[3:]}"
            if action.startswith("cm:"):
                return await self._ask_comment(ctx, ref)
            return await self.reopen_command(ctx, ref)
        replies = await self.flow.on_button(ctx, action)
        return replies if replies is not None else [Reply(t("empty", ctx.lang))]

    async def on_text(self, ctx: Context) -> list[Reply] | None:
        """Answers under way (form, comment) first; then plain reports; else the FAQ's turn."""
        flow = await ctx.flow()
        if flow is not None and flow.get("name") == FLOW:
            return await self.flow.on_text(ctx, flow)
        if flow is not None and flow.get("name") == COMMENT_FLOW:
            if ctx.text.lower() in ("cancel", "取消"):
                return await self.flow.cancel(ctx)
            await ctx.set_flow(None)
            return await self._comment(ctx, str(flow["ref"]), ctx.text)
        if looks_like_report(ctx.text):
            return await self.flow.start(ctx)
        if looks_like_symptom(ctx.text):
            replies = await self.flow.start(ctx, ctx.text)
            if replies and replies[0].kind == "ticket_form":
                return [Reply(say(PHRASES, "offer_ticket", ctx.lang)), *replies]
            return replies
        return None

    # --- helpers -------------------------------------------------------------------------

    async def _ask_comment(self, ctx: Context, ref: str) -> list[Reply]:
        assert ctx.turn.client_id is not None
        try:
            view = await self._tickets.get(ref, ctx.turn.client_id)
        except TicketNotFound as exc:
            return [self._not_found(ctx, exc.ref)]
        await ctx.set_flow({"name": COMMENT_FLOW, "ref": view.ref})
        return [Reply(say(PHRASES, "ask_comment", ctx.lang, ref=view.ref), kind="ticket_form")]

    async def _comment(self, ctx: Context, ref: str, text: str) -> list[Reply]:
        try:
            view = await self._tickets.comment(ref, text, ctx.actor, client_id=ctx.turn.client_id)
        except TicketNotFound as exc:
            return [self._not_found(ctx, exc.ref)]
        except InvalidInputError:
            return [Reply(say(PHRASES, "too_short", ctx.lang))]
        return [Reply(say(PHRASES, "comment_added", ctx.lang, ref=view.ref), kind="ticket_comment")]

    def _status_reply(self, ctx: Context, view: TicketView) -> Reply:
        lang = ctx.lang
        if view.resolved_at is not None:
            sla = say(PHRASES, "sla_done", lang, at=local_time(view.resolved_at, view.timezone))
        else:
            due = local_time(view.resolution_due, view.timezone)
            sla = say(PHRASES, "sla_open", lang, due=due, tz=view.timezone)
        text = say(
            PHRASES,
            "status",
            lang,
            ref=view.ref,
            title=view.title,
            status=say(STATUS_NAMES, view.status, lang),
            severity=view.severity,
            project=view.project,
            opened=local_time(view.created_at, view.timezone),
            sla=sla,
        )
        number = view.ref.split("-", 1)[1]
        buttons = [Button(say(PHRASES, "add_comment", lang), f"ticket:cm:{number}")]
        if view.status in (Status.RESOLVED, Status.CLOSED):
            buttons.append(Button(say(PHRASES, "reopen", lang), f"ticket:ro:{number}"))
        return Reply(text, buttons=tuple(buttons), kind="ticket_status", meta={"ticket": view.ref})

    def _not_found(self, ctx: Context, ref: str) -> Reply:
        return Reply(say(PHRASES, "not_found", ctx.lang, ref=ref.upper()), kind="ticket_not_found")

    async def _code(self, client_id: int) -> str:
        async with self._db.session() as session:
            return (await session.get_one(Client, client_id)).code

    async def _example(self, client_id: int) -> str:
        return f"{await self._code(client_id)}-42"
