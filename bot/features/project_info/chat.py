"""/project in chat: the client's project at a glance (acceptance, warranty, SLA, check-in)."""

from __future__ import annotations

from typing import Protocol

from bot.core.commands import not_linked
from bot.core.engine import Context
from bot.core.errors import NotFoundError
from bot.core.i18n import say, t
from bot.core.messages import Button, Reply
from bot.features.project_info.phrases import PHRASES
from bot.features.project_info.service import ProjectInfo


class ClientProjects(Protocol):
    async def projects_of(self, client_id: int) -> list[tuple[int, str]]: ...


class ProjectInfoChat:
    def __init__(self, info: ProjectInfo, projects: ClientProjects) -> None:
        self._info = info
        self._projects = projects

    async def project_command(self, ctx: Context, _args: str) -> list[Reply]:
        project_id, replies = await which_project(ctx, self._projects, "project:")
        if project_id is None:
            return replies
        return await self._describe(ctx, project_id)

    async def on_button(self, ctx: Context, ident: str) -> list[Reply]:
        """`project:P`, a project picked (also `handover:info:P`, sent by earlier versions)."""
        if ctx.turn.client_id is None:
            return [not_linked(ctx.lang)]
        if not ident.isdigit():
            return [Reply(t("empty", ctx.lang))]
        return await self._describe(ctx, int(ident))

    async def _describe(self, ctx: Context, project_id: int) -> list[Reply]:
        assert ctx.turn.client_id is not None
        try:
            text = await self._info.describe(project_id, ctx.turn.client_id, ctx.lang)
        except NotFoundError:  # another client's project reads like a missing one
            return [Reply(say(PHRASES, "no_such_project", ctx.lang), kind="handover_not_found")]
        return [Reply(text, kind="project_info")]


async def which_project(
    ctx: Context, projects: ClientProjects, prefix: str
) -> tuple[int | None, list[Reply]]:
    """The sender's project, or the replies to send instead (not linked, none, or buttons to
    pick one whose payload is `prefix` + the project id)."""
    if ctx.turn.client_id is None:
        return None, [not_linked(ctx.lang)]
    found = await projects.projects_of(ctx.turn.client_id)
    if not found:
        return None, [Reply(t("no_project", ctx.lang))]
    if len(found) == 1:
        return found[0][0], []
    buttons = tuple(Button(name[:40], f"{prefix}{pid}") for pid, name in found[:8])
    return None, [
        Reply(say(PHRASES, "pick_project", ctx.lang), buttons=buttons, kind="handover_project")
    ]
