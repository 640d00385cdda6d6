"""The guided 'open a ticket' dialogue: title, description, duplicate check, severity, project."""

from __future__ import annotations

import re
from datetime import timedelta
from difflib import SequenceMatcher
from typing import Any

from bot.core.commands import not_linked
from bot.core.directory import projects_of_client
from bot.core.engine import Context
from bot.core.i18n import Lang, say
from bot.core.localtime import local_time
from bot.core.messages import Button, Reply
from bot.features.tickets.phrases import PHRASES, SEVERITY_HELP
from bot.features.tickets.policies import SEVERITIES
from bot.features.tickets.service import TicketService, TicketView
from bot.storage.db import Database
from bot.storage.models import Project

FLOW = "ticket"
DUPLICATE_WINDOW = timedelta(hours=24)
DUPLICATE_SIMILARITY = 0.8
_CATEGORY_BY_SEVERITY = {"P1": "incident", "P2": "incident", "P3": "bug", "P4": "question"}
_CANCEL_WORDS = {"cancel", "stop", "取消", "算了"}
_NOISE = re.compile(r"[\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    """Lower case without punctuation or spaces, so near-identical reports compare equal."""
    return _NOISE.sub("", text.lower())


def similarity(a: str, b: str) -> float:
    a, b = normalise(a), normalise(b)
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b).ratio()


def cancel_button(lang: Lang) -> Button:
    return Button(say(PHRASES, "cancel", lang), "ticket:cx")


class TicketFlow:
    """State lives in the conversation's flow: {"name": "ticket", "step": ..., fields so far}."""

    def __init__(self, tickets: TicketService, db: Database) -> None:
        self._tickets = tickets
        self._db = db

    async def start(self, ctx: Context, title: str = "") -> list[Reply]:
        if ctx.turn.client_id is None:
            return [not_linked(ctx.lang)]
        if not await self._projects(ctx.turn.client_id):
            return [Reply(say(PHRASES, "no_project", ctx.lang))]
        title = title.strip()
        if len(title) >= 3:
            await ctx.set_flow({"name": FLOW, "step": "description", "title": title[:200]})
            return [self._ask("ask_description", ctx.lang)]
        await ctx.set_flow({"name": FLOW, "step": "title"})
        return [self._ask("ask_title", ctx.lang)]

    async def on_text(self, ctx: Context, flow: dict[str, Any]) -> list[Reply]:
        """The next typed answer while the dialogue is under way."""
        text = ctx.text
        if text.lower() in _CANCEL_WORDS:
            return await self.cancel(ctx)
        step = flow.get("step")
        if step in ("title", "description") and len(text) < 3:
            return [self._ask("too_short", ctx.lang)]
        if step == "title":
            await ctx.set_flow({**flow, "step": "description", "title": text[:200]})
            return [self._ask("ask_description", ctx.lang)]
        if step == "description":
            flow = {**flow, "description": text}
            return await self._after_description(ctx, flow)
        if step == "severity" and text.upper() in SEVERITIES:
            return await self.on_severity(ctx, text.upper())
        return [await self._repeat(ctx, flow)]

    async def on_button(self, ctx: Context, action: str) -> list[Reply] | None:
        """Clicks on this dialogue's buttons; None when `action` is not one of them."""
        flow = await ctx.flow()
        if action == "cx":
            return await self.cancel(ctx)
        if flow is None or flow.get("name") != FLOW:
            # A click on an old form's button: start a fresh form rather than guess.
            return await self.start(ctx) if action[:4] in ("sev:", "prj:", "dup:") else None
        if action.startswith("sev:") and action[4:] in SEVERITIES:
            return await self.on_severity(ctx, action[4:])
        if action.startswith("prj:") and action[4:].isdigit() and flow.get("step") == "project":
            return await self._finish(ctx, {**flow, "project_id": int(action[4:])})
        if action == "dup:n" and flow.get("step") == "duplicate":
            return await self._ask_severity(ctx, flow)
        if action == "dup:y" and flow.get("step") == "duplicate":
            return await self._merge(ctx, flow)
        return [await self._repeat(ctx, flow)]

    async def cancel(self, ctx: Context) -> list[Reply]:
        flow = await ctx.flow()
        await ctx.set_flow(None)
        key = "cancelled" if flow is not None else "nothing_to_cancel"
        return [Reply(say(PHRASES, key, ctx.lang))]

    async def on_severity(self, ctx: Context, severity: str) -> list[Reply]:
        flow = await ctx.flow()
        if flow is None or flow.get("name") != FLOW or flow.get("step") != "severity":
            return await self.start(ctx)
        return await self._ask_project(ctx, {**flow, "severity": severity})

    async def _ask_project(self, ctx: Context, flow: dict[str, Any]) -> list[Reply]:
        assert ctx.turn.client_id is not None
        projects = await self._projects(ctx.turn.client_id)
        if len(projects) == 1:
            return await self._finish(ctx, {**flow, "project_id": projects[0].id})
        await ctx.set_flow({**flow, "step": "project"})
        buttons = tuple(Button(p.name[:40], f"ticket:prj:{p.id}") for p in projects[:8])
        return [
            Reply(
                say(PHRASES, "ask_project", ctx.lang),
                buttons=(*buttons, cancel_button(ctx.lang)),
                kind="ticket_project",
            )
        ]

    async def _after_description(self, ctx: Context, flow: dict[str, Any]) -> list[Reply]:
        duplicate = await self._duplicate_of(
            ctx, f"{flow['title']} {flow['description']}", flow["title"]
        )
        if duplicate is None:
            return await self._ask_severity(ctx, flow)
        await ctx.set_flow({**flow, "step": "duplicate", "duplicate": duplicate.ref})
        buttons = (
            Button(say(PHRASES, "dup_yes", ctx.lang), "ticket:dup:y"),
            Button(say(PHRASES, "dup_no", ctx.lang), "ticket:dup:n"),
            cancel_button(ctx.lang),
        )
        text = say(PHRASES, "ask_duplicate", ctx.lang, ref=duplicate.ref, title=duplicate.title)
        return [Reply(text, buttons=buttons, kind="ticket_duplicate")]

    async def _duplicate_of(self, ctx: Context, text: str, title: str) -> TicketView | None:
        if ctx.turn.contact_id is None:
            return None
        since = ctx.clock.now() - DUPLICATE_WINDOW
        best: tuple[float, TicketView | None] = (0.0, None)
        for ticket in await self._tickets.recent_by_contact(ctx.turn.contact_id, since):
            score = max(
                similarity(title, ticket.title),
                similarity(text, f"{ticket.title} {ticket.description}"),
            )
            if score > best[0]:
                best = (score, ticket)
        return best[1] if best[0] >= DUPLICATE_SIMILARITY else None

    async def _ask_severity(self, ctx: Context, flow: dict[str, Any]) -> list[Reply]:
        await ctx.set_flow({**flow, "step": "severity"})
        return [self._severity_reply(ctx.lang)]

    def _severity_reply(self, lang: Lang) -> Reply:
        explanations = "\n".join(say(SEVERITY_HELP, s, lang) for s in SEVERITIES)
        buttons = tuple(
            Button(say(SEVERITY_HELP, s, lang).split(":")[0].split("：")[0], f"ticket:sev:{s}")
            for s in SEVERITIES
        )
        return Reply(
            say(PHRASES, "ask_severity", lang, explanations=explanations),
            buttons=(*buttons, cancel_button(lang)),
            kind="ticket_severity",
        )

    async def _merge(self, ctx: Context, flow: dict[str, Any]) -> list[Reply]:
        ref = str(flow["duplicate"])
        await ctx.set_flow(None)
        await self._tickets.comment(
            ref,
            f"{flow['title']}\n{flow['description']}",
            ctx.actor,
            client_id=ctx.turn.client_id,
        )
        return [Reply(say(PHRASES, "dup_added", ctx.lang, ref=ref), kind="ticket_comment")]

    async def _finish(self, ctx: Context, flow: dict[str, Any]) -> list[Reply]:
        assert ctx.turn.client_id is not None
        project_ids = {p.id for p in await self._projects(ctx.turn.client_id)}
        if flow["project_id"] not in project_ids:
            return [await self._repeat(ctx, flow)]
        severity = str(flow["severity"])
        ticket = await self._tickets.open(
            project_id=int(flow["project_id"]),
            title=str(flow["title"]),
            description=str(flow["description"]),
            severity=severity,
            category=_CATEGORY_BY_SEVERITY[severity],
            reporter_contact_id=ctx.turn.contact_id,
            conversation_id=ctx.turn.conversation_id,
            actor=ctx.actor,
        )
        await ctx.set_flow(None)
        text = say(
            PHRASES,
            "created",
            ctx.lang,
            ref=ticket.ref,
            title=ticket.title,
            severity=ticket.severity,
            project=ticket.project,
            first_due=local_time(ticket.first_response_due, ticket.timezone),
            resolution_due=local_time(ticket.resolution_due, ticket.timezone),
            tz=ticket.timezone,
        )
        button = Button(
            say(PHRASES, "add_comment", ctx.lang), f"ticket:cm:{ticket.ref.split('-')[1]}"
        )
        return [Reply(text, buttons=(button,), kind="ticket_created", meta={"ticket": ticket.ref})]

    async def _repeat(self, ctx: Context, flow: dict[str, Any]) -> Reply:
        step = flow.get("step")
        if step == "severity":
            return self._severity_reply(ctx.lang)
        if step == "project":
            return (await self._ask_project(ctx, flow))[0]
        if step == "duplicate":
            return (await self._after_description(ctx, flow))[0]
        return self._ask("ask_title" if step == "title" else "ask_description", ctx.lang)

    async def _projects(self, client_id: int) -> list[Project]:
        async with self._db.session() as session:
            return await projects_of_client(session, client_id)

    def _ask(self, key: str, lang: Lang) -> Reply:
        return Reply(say(PHRASES, key, lang), buttons=(cancel_button(lang),), kind="ticket_form")
