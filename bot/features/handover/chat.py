"""/handover in chat: confirm checklist items or report a problem with one. Every lookup is
scoped to the sender's client: another client's project or item reads like a missing one."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.commands import not_linked
from bot.core.engine import Context, Handler
from bot.core.errors import NotFoundError
from bot.core.i18n import CANCEL_WORDS, Lang, say, t
from bot.core.messages import Button, Reply
from bot.features.handover.phrases import PHRASES
from bot.features.handover.service import ChecklistView, HandoverService, ItemView
from bot.features.project_info.chat import which_project

PROBLEM_FLOW = "handover_problem"


class HandoverChat:
    def __init__(self, handover: HandoverService, project_button: Handler) -> None:
        self._handover = handover
        # `handover:info:P` buttons sent before /project had a feature of its own.
        self._project_button = project_button

    # --- /handover -----------------------------------------------------------------------------

    async def handover_command(self, ctx: Context, args: str) -> list[Reply]:
        """`/handover` shows the checklist and asks about the next open item; `/handover N`
        asks about item N."""
        project_id, replies = await which_project(ctx, self._handover, "handover:prj:")
        if project_id is None:
            return replies
        assert ctx.turn.client_id is not None
        view = await self._handover.checklist(project_id, ctx.turn.client_id)
        wanted = args.strip()
        item = next((i for i in view.items if wanted and str(i.position) == wanted), None)
        return [self._checklist_reply(ctx, view, item)]

    async def on_button(self, ctx: Context, action: str) -> list[Reply]:
        """`handover:prj:P` (a project picked), `handover:ok:I` (confirm an item),
        `handover:pb:I` (report a problem with it)."""
        if ctx.turn.client_id is None:
            return [not_linked(ctx.lang)]
        verb, _, ident = action.partition(":")
        if verb == "info":
            return await self._project_button(ctx, ident)
        if not ident.isdigit():
            return [Reply(t("empty", ctx.lang))]
        try:
            if verb == "prj":
                view = await self._handover.checklist(int(ident), ctx.turn.client_id)
                return [self._checklist_reply(ctx, view, None)]
            if verb == "ok":
                return await self._confirm(ctx, int(ident))
            if verb == "pb":
                item = await self._handover.item(int(ident), ctx.turn.client_id)
                await ctx.set_flow({"name": PROBLEM_FLOW, "item": item.id})
                return [
                    Reply(
                        say(PHRASES, "ask_problem", ctx.lang, title=item.title(ctx.lang)),
                        kind="handover_form",
                    )
                ]
        except NotFoundError:
            return [Reply(say(PHRASES, "no_item", ctx.lang), kind="handover_not_found")]
        return [Reply(t("empty", ctx.lang))]

    async def _confirm(self, ctx: Context, item_id: int) -> list[Reply]:
        assert ctx.turn.client_id is not None
        result = await self._handover.confirm(
            item_id,
            client_id=ctx.turn.client_id,
            contact_id=ctx.turn.contact_id,
            by=ctx.turn.message.who,
        )
        lang, view = ctx.lang, result.checklist
        key = "was_confirmed" if result.already else "confirmed"
        replies = [Reply(say(PHRASES, key, lang, title=result.item.title(lang)))]
        if result.accepted_on is not None:
            warranty = view.warranty_until.isoformat() if view.warranty_until else "-"
            text = say(
                PHRASES,
                "all_confirmed",
                lang,
                project=view.project,
                date=result.accepted_on.isoformat(),
                warranty=warranty,
            )
            replies.append(Reply(text, kind="handover_accepted"))
        else:
            replies.append(self._checklist_reply(ctx, view, None))
        return replies

    def _checklist_reply(self, ctx: Context, view: ChecklistView, item: ItemView | None) -> Reply:
        lang = ctx.lang
        today = ctx.clock.now().astimezone(ZoneInfo(view.timezone)).date()
        lines = [
            say(
                PHRASES,
                "checklist",
                lang,
                project=view.project,
                done=str(view.confirmed),
                total=str(len(view.items)),
            )
        ]
        lines += [
            f"{i.position}. {_mark(i)} {i.title(lang)} - {_state(i, lang, today)}"
            for i in view.items
        ]
        if view.accepted_on is not None:
            lines.append(
                say(
                    PHRASES,
                    "accepted",
                    lang,
                    project=view.project,
                    date=view.accepted_on.isoformat(),
                )
            )
            return Reply("\n".join(lines), kind="handover_checklist")
        item = item or view.next_open()
        if item is None or item.confirmed_at is not None:
            return Reply("\n".join(lines), kind="handover_checklist")
        lines.append(say(PHRASES, "next", lang, number=str(item.position), title=item.title(lang)))
        buttons = (
            Button(say(PHRASES, "confirm", lang), f"handover:ok:{item.id}"),
            Button(say(PHRASES, "report_problem", lang), f"handover:pb:{item.id}"),
        )
        return Reply(
            "\n".join(lines),
            buttons=buttons,
            kind="handover_checklist",
            meta={"project_id": str(view.project_id)},
        )

    # --- typed answers -------------------------------------------------------------------------

    async def on_text(self, ctx: Context) -> list[Reply] | None:
        """The problem with an item, typed after "Report a problem"."""
        flow = await ctx.flow()
        if flow is None or flow.get("name") != PROBLEM_FLOW:
            return None
        if ctx.text.lower() in CANCEL_WORDS:
            await ctx.set_flow(None)
            return [Reply(t("form_cancelled", ctx.lang))]
        return await self._problem(ctx, flow)

    async def _problem(self, ctx: Context, flow: dict[str, Any]) -> list[Reply]:
        if ctx.turn.client_id is None:
            await ctx.set_flow(None)
            return [not_linked(ctx.lang)]
        if len(ctx.text) < 3:
            return [Reply(t("form_too_short", ctx.lang), kind="handover_form")]
        try:
            item = await self._handover.item(int(flow["item"]), ctx.turn.client_id)
            ticket = await self._handover.problem(
                item.id,
                ctx.text,
                client_id=ctx.turn.client_id,
                contact_id=ctx.turn.contact_id,
                conversation_id=ctx.turn.conversation_id,
                by=ctx.actor,
            )
        except NotFoundError:
            await ctx.set_flow(None)
            return [Reply(say(PHRASES, "no_item", ctx.lang), kind="handover_not_found")]
        await ctx.set_flow(None)
        text = say(PHRASES, "problem_opened", ctx.lang, ref=ticket.ref, title=item.title(ctx.lang))
        return [Reply(text, kind="handover_problem", meta={"ticket": ticket.ref})]


def _mark(item: ItemView) -> str:
    if item.confirmed_at is not None:
        return "[x]"
    if item.ticket is not None:
        return "[!]"
    return "[ ]"


def _state(item: ItemView, lang: Lang, today: date) -> str:
    if item.confirmed_at is not None:
        return say(
            PHRASES,
            "item_confirmed",
            lang,
            who=item.confirmed_by or "-",
            date=item.confirmed_at.date().isoformat(),
        )
    parts = []
    if item.ticket is not None:
        parts.append(say(PHRASES, "item_problem", lang, ticket=item.ticket))
    if item.ticked_at is not None:
        parts.append(say(PHRASES, "item_ticked", lang))
    key = "item_overdue" if item.overdue(today) else "item_due"
    parts.append(say(PHRASES, key, lang, date=item.due_on.isoformat()))
    return "; ".join(parts)
