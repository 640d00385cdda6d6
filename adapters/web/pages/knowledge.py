"""Knowledge: FAQ drafts learned from staff answers, shown as the files they are, and approved
into the knowledge base by the KnowledgeDesk the CLI's `kb approve` uses: checked, moved,
re-indexed and published (every replica serves it), and the gap questions it answers closed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from starlette.responses import Response
from starlette.routing import Route

from adapters.web.auth import ROOT, Page, page
from adapters.web.i18n import word
from bot.app import App
from bot.features.faq.drafts import draft_id_of, list_drafts
from indexer.publishing import knowledge_desk


@dataclass(frozen=True)
class _DraftFile:
    draft_id: str
    name: str
    text: str


def _read(path: Path) -> _DraftFile:
    return _DraftFile(draft_id_of(path), path.name, path.read_text(encoding="utf-8"))


def routes(app: App) -> list[Route]:
    async def knowledge(current: Page) -> Response:
        drafts = [_read(path) for path in list_drafts(app.settings.kb_dir)]
        return current.render("knowledge.html", drafts=drafts)

    async def approve_draft(current: Page) -> Response:
        done = await knowledge_desk(app.db, app.clock, app.settings).approve(current.field("draft"))
        where = ", ".join(path.relative_to(app.settings.kb_dir).as_posix() for path in done.moved)
        closed = f"; {done.closed} {word('gaps_closed', current.lang)}" if done.closed else ""
        return current.back(
            f"{ROOT}/knowledge", f"{word('approved', current.lang)} {where}{closed}"
        )

    return [
        Route("/knowledge", page(app, knowledge), methods=["GET"]),
        Route("/knowledge/drafts/approve", page(app, approve_draft), methods=["POST"]),
    ]
