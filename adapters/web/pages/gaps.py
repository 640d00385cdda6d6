"""Knowledge gaps (what clients asked that the bot could not answer, grouped by meaning) and
the deflection report. "Write an answer" makes a draft whose example questions are the clients'
own; approving it (the Knowledge page) re-indexes and closes the gap."""

from __future__ import annotations

from datetime import timedelta

from starlette.responses import Response
from starlette.routing import Route

from adapters.web.auth import ROOT, Page, page
from adapters.web.i18n import word
from bot.app import App
from bot.core.errors import InvalidInputError, NotFoundError
from bot.features.faq.deflection import deflection
from bot.features.faq.desk import KnowledgeDesk
from bot.features.faq.gaps import Embed, GapCluster
from indexer.publishing import knowledge_desk, query_encoder


def _served(current: Page, clusters: list[GapCluster]) -> list[GapCluster]:
    """An agent sees the gaps their clients asked, and only those clients' questions."""
    if current.clients is None:
        return clusters
    mine = []
    for found in clusters:
        questions = tuple(q for q in found.questions if q.client_id in current.clients)
        if questions:
            clients = len({q.client_id for q in questions})
            texts = [q.text for q in questions]
            shown = found.question if found.question in texts else texts[0]  # never another's
            last = max(q.asked_at for q in questions)
            langs = tuple(sorted({q.lang for q in questions}))
            mine.append(GapCluster(found.id, shown, questions, clients, last, langs))
    return mine


def routes(app: App) -> list[Route]:
    def desk() -> KnowledgeDesk:
        return knowledge_desk(app.db, app.clock, app.settings)

    def embed() -> Embed:
        return query_encoder(app.settings, app.kb)

    async def cluster(current: Page) -> GapCluster:
        wanted = int(current.request.path_params["cluster_id"])
        found = _served(current, [await desk().cluster_by_id(embed(), wanted)])
        if not found:  # one an agent does not serve reads like a missing one
            raise NotFoundError(f"no open knowledge gap {wanted}")
        return found[0]

    async def gaps(current: Page) -> Response:
        clusters = _served(current, await desk().gaps(embed(), limit=200))
        return current.render("gaps.html", clusters=clusters)

    async def gap(current: Page) -> Response:
        return current.render("gap.html", cluster=await cluster(current))

    async def draft(current: Page) -> Response:
        found = await cluster(current)
        answer = current.field("answer")
        if len(answer) < 10:
            raise InvalidInputError(word("answer_too_short", current.lang))
        written = await desk().draft_cluster(found, answer, title=current.field("title") or None)
        return current.back(
            f"{ROOT}/knowledge", f"{word('draft_written', current.lang)} {written.id}"
        )

    async def dismiss(current: Page) -> Response:
        found = await cluster(current)
        await desk().dismiss(found.message_ids)
        return current.back(f"{ROOT}/knowledge/gaps", word("done", current.lang))

    async def report(current: Page) -> Response:
        weeks = min(max(int(current.request.query_params.get("weeks", "12") or 12), 1), 104)
        async with app.db.session() as session:
            found = await deflection(session, since=app.clock.now() - timedelta(weeks=weeks))
        return current.render("deflection.html", report=found, weeks=weeks)

    return [
        Route("/knowledge/gaps", page(app, gaps), methods=["GET"]),
        Route("/knowledge/gaps/{cluster_id:int}", page(app, gap), methods=["GET"]),
        Route("/knowledge/gaps/{cluster_id:int}/draft", page(app, draft), methods=["POST"]),
        Route("/knowledge/gaps/{cluster_id:int}/dismiss", page(app, dismiss), methods=["POST"]),
        Route("/knowledge/deflection", page(app, report), methods=["GET"]),
    ]
