"""Knowledge endpoints: the knowledge base's articles, the FAQ drafts awaiting approval, and
asking a question as a client would."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter

from adapters.api import schemas as s
from adapters.api.auth import AppDep, token_with
from adapters.api.errors import AUTH_ERRORS, ApiError, error_response
from bot.core.errors import IndexNotReadyError, KnowledgeBaseError
from bot.core.i18n import detect_lang
from bot.core.protocols import Tier
from bot.features.faq.chat import trim
from bot.features.faq.drafts import draft_id_of, list_drafts
from bot.knowledge.index_files import kb_files
from indexer.content import parse_article, read_unit

router = APIRouter()


@router.get(
    "/knowledge/articles",
    response_model=list[s.ArticleOut],
    responses=AUTH_ERRORS,
    dependencies=[token_with("knowledge:read")],
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
    responses=AUTH_ERRORS,
    dependencies=[token_with("knowledge:read")],
    tags=["knowledge"],
)
async def drafts(app: AppDep) -> list[s.DraftOut]:
    """FAQ drafts learned from staff answers, waiting for `aftercare kb approve ID`."""
    return [_draft(path) for path in list_drafts(app.settings.kb_dir)]


def _draft(path: Path) -> s.DraftOut:
    try:
        article = parse_article(path.read_text(encoding="utf-8"), path.as_posix())
    except (KnowledgeBaseError, OSError, UnicodeDecodeError):
        return s.DraftOut(id=draft_id_of(path), file=path.name, title=None, lang=None)
    return s.DraftOut(id=article.id, file=path.name, title=article.title, lang=article.lang)


@router.post(
    "/knowledge/ask",
    response_model=s.AskOut,
    responses={
        **AUTH_ERRORS,
        **error_response(
            503, "unavailable", "No knowledge base is loaded or its index is not ready"
        ),
    },
    tags=["knowledge"],
    dependencies=[token_with("knowledge:read")],
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
