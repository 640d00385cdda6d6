"""The knowledge desk: staff turn knowledge gaps into FAQ drafts, approve drafts into the
knowledge base (re-indexed and published at once), or dismiss questions. The staff console and
the CLI both call it."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy import select, update

from bot.core.errors import InvalidInputError, NotFoundError
from bot.core.protocols import Clock
from bot.features.faq.drafts import Draft, approve, draft_files, drafts_dir, write_draft
from bot.features.faq.gaps import SAME_QUESTION, Embed, GapCluster, cluster, gap_questions
from bot.features.faq.models import GapMark
from bot.storage.db import Database
from bot.storage.models import Message

DRAFTED, CLOSED, DISMISSED = "drafted", "closed", "dismissed"
MAX_EXAMPLES = 20  # example questions written into a draft from a cluster


class Reindexer(Protocol):
    """What approving needs of the indexer (indexer.publishing.SettingsReindexer)."""

    def check(self, paths: Sequence[Path]) -> None:
        """Raise KnowledgeBaseError, naming file and line, for an article the index refuses."""

    async def reindex(self) -> list[str]:
        """Rebuild the index and publish it; lines saying what was done."""


@dataclass(frozen=True)
class Approved:
    draft_id: str
    moved: tuple[Path, ...]  # the draft's files, now in the knowledge base
    reindexed: tuple[str, ...]  # what the reindex said (built, published)
    closed: int  # gap questions closed by it


class KnowledgeDesk:
    """Gaps, drafts and approvals over one knowledge base (`kb_dir`) and database."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        kb_dir: Path,
        reindexer: Reindexer,
        *,
        answer_threshold: float | None = None,
        same_question: float = SAME_QUESTION,
    ) -> None:
        self._db = db
        self._clock = clock
        self.kb_dir = kb_dir
        self._reindexer = reindexer
        self.answer_threshold = answer_threshold
        self.same_question = same_question

    async def gaps(self, embed: Embed, *, limit: int | None = None) -> list[GapCluster]:
        """Open gap questions grouped by meaning, most clients first. Embedding runs in a
        worker thread."""
        async with self._db.session() as session:
            questions = await gap_questions(session, answer_threshold=self.answer_threshold)
        found = await asyncio.to_thread(cluster, questions, embed, self.same_question)
        return found[:limit] if limit is not None else found

    async def cluster_by_id(self, embed: Embed, cluster_id: int) -> GapCluster:
        found = next((c for c in await self.gaps(embed) if c.id == cluster_id), None)
        if found is None:
            raise NotFoundError(f"no open knowledge gap {cluster_id} (see `aftercare kb gaps`)")
        return found

    async def draft_from_gap(
        self,
        message_ids: Sequence[int],
        question: str,
        answer: str,
        *,
        examples: Sequence[str] = (),
        draft_id: str | None = None,
    ) -> Draft:
        """Write a draft answering gap questions: `question` is its title, `examples` (the
        cluster's questions) its example questions; the questions are marked `drafted`."""
        if not message_ids:
            raise InvalidInputError("a draft from a knowledge gap needs at least one question")
        draft_id = draft_id or f"gap-{min(message_ids)}"
        draft = write_draft(
            self.kb_dir,
            draft_id,
            question,
            answer,
            examples=list(examples)[:MAX_EXAMPLES],
            tags=("gap",),
            source=f"knowledge gap {min(message_ids)}",
        )
        await self._mark(message_ids, DRAFTED, draft_id)
        return draft

    async def draft_cluster(
        self, found: GapCluster, answer: str, *, title: str | None = None
    ) -> Draft:
        """A draft for a whole cluster: its representative question as title (or `title`)."""
        return await self.draft_from_gap(
            found.message_ids,
            title or found.question,
            answer,
            examples=[q.text for q in found.questions],
        )

    async def approve(self, draft_id: str) -> Approved:
        """Move the draft into the knowledge base, rebuild and publish the index, then close the
        gap questions it answers. A draft the indexer refuses is left where it was; a rebuild
        that fails puts it back in the drafts."""
        self._reindexer.check(draft_files(self.kb_dir, draft_id))
        moved = approve(self.kb_dir, draft_id)
        try:
            said = await self._reindexer.reindex()
        except BaseException:
            for path in moved:
                shutil.move(path, drafts_dir(self.kb_dir) / path.name)
            raise
        async with self._db.session() as session:
            closed = await session.scalars(
                update(GapMark)
                .where(GapMark.draft_id == draft_id, GapMark.state == DRAFTED)
                .values(state=CLOSED, at=self._clock.now())
                .returning(GapMark.message_id)
            )
            count = len(closed.all())
        return Approved(draft_id, tuple(moved), tuple(said), count)

    async def dismiss(self, message_ids: Sequence[int]) -> None:
        """Take questions off the gap list without an answer (off-topic, spam, answered)."""
        await self._mark(message_ids, DISMISSED, None)

    async def _mark(self, message_ids: Sequence[int], state: str, draft_id: str | None) -> None:
        now = self._clock.now()
        ids = sorted(set(message_ids))
        async with self._db.session() as session:
            known = set(
                await session.scalars(
                    select(Message.id).where(Message.id.in_(ids), Message.direction == "in")
                )
            )
            if missing := [i for i in ids if i not in known]:
                raise NotFoundError(f"no client message {', '.join(map(str, missing))}")
            existing = {
                mark.message_id: mark
                for mark in await session.scalars(
                    select(GapMark).where(GapMark.message_id.in_(ids))
                )
            }
            for message_id in ids:
                mark = existing.get(message_id)
                if mark is None:
                    session.add(
                        GapMark(message_id=message_id, state=state, draft_id=draft_id, at=now)
                    )
                else:
                    mark.state, mark.draft_id, mark.at = state, draft_id, now
