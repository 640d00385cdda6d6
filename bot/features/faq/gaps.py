"""Knowledge gaps: client questions the FAQ could not answer with confidence, grouped by meaning
and ranked by how many clients asked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.i18n import Lang
from bot.features.faq.models import GapMark
from bot.features.faq.turns import ABSTAIN, ANSWER, CHOICES, FaqTurn, faq_turns

# Texts -> one row per text (any scale; rows are normalised here). The knowledge base's
# embedder's encode_queries fits; tests pass a deterministic fake.
Embed = Callable[[list[str]], np.ndarray]

# Cosine similarity at which two questions are taken to ask the same thing. With the default
# encoder (multilingual USE), on a handful of pairs: paraphrases 0.63-0.99 ("reset my password" /
# "forgot my password" 0.63, an English and a Chinese invoice question 0.74), different
# questions 0.17-0.34; some paraphrases score far lower ("when is support available" / "what
# are your opening hours" 0.27) and stay apart.
SAME_QUESTION = 0.6
_BLOCK = 1024  # rows of the similarity matrix computed at a time (memory stays ~4 MB/1k rows)


@dataclass(frozen=True)
class GapQuestion:
    """A client question answered with "I don't know", "did you mean", or a low-confidence
    answer, and nobody has taken up yet."""

    message_id: int
    conversation_id: int
    text: str
    asked_at: datetime
    lang: Lang
    reply: str  # faq_abstain | faq_choices | faq_answer
    client_id: int | None
    client_name: str | None
    contact: str
    asker: str


@dataclass(frozen=True)
class GapCluster:
    """Questions that ask the same thing. `id` is its smallest message id, so it stays the same
    while new questions join; `question` is the one closest to the cluster's centre."""

    id: int
    question: str
    questions: tuple[GapQuestion, ...]
    clients: int
    last_asked: datetime
    languages: tuple[Lang, ...]

    @property
    def message_ids(self) -> tuple[int, ...]:
        return tuple(q.message_id for q in self.questions)


def is_gap(turn: FaqTurn, answer_threshold: float | None) -> bool:
    """A typed question (not a click) the FAQ abstained on, offered choices for, or answered
    with a recorded confidence below `answer_threshold`."""
    if turn.button is not None or not turn.text.strip():
        return False
    if turn.kind in (ABSTAIN, CHOICES):
        return True
    return (
        turn.kind == ANSWER
        and answer_threshold is not None
        and turn.score is not None
        and turn.score < answer_threshold
    )


async def gap_questions(
    session: AsyncSession, *, answer_threshold: float | None, since: datetime | None = None
) -> list[GapQuestion]:
    """The open gap questions (no GapMark), oldest first."""
    marked = set(await session.scalars(select(GapMark.message_id)))
    return [
        GapQuestion(
            message_id=turn.message_id,
            conversation_id=turn.conversation_id,
            text=" ".join(turn.text.split()),
            asked_at=turn.asked_at,
            lang=turn.lang,
            reply=turn.kind,
            client_id=turn.client_id,
            client_name=turn.client_name,
            contact=turn.contact,
            asker=turn.asker,
        )
        for turn in await faq_turns(session, since=since)
        if turn.message_id not in marked and is_gap(turn, answer_threshold)
    ]


def cluster(
    questions: Sequence[GapQuestion], embed: Embed, threshold: float = SAME_QUESTION
) -> list[GapCluster]:
    """Group questions by meaning and rank the groups: most distinct askers first, then most
    questions, then most recently asked.

    Density first: the question with the most others within `threshold` leads a group of those
    not yet grouped, then the next densest of the rest. Neighbour counts take one blocked matrix
    product (5,000 questions of 512 dimensions: ~3 s on the shared 2-core machine, on top of
    embedding them)."""
    if not questions:
        return []
    vectors = _normalised(embed([q.text for q in questions]))
    if vectors.shape[0] != len(questions):
        raise ValueError(f"embed returned {vectors.shape[0]} rows for {len(questions)} texts")
    neighbours = np.zeros(len(questions), dtype=np.int64)
    for start in range(0, len(questions), _BLOCK):
        block = vectors[start : start + _BLOCK] @ vectors.T
        neighbours[start : start + _BLOCK] = (block >= threshold).sum(axis=1)
    # Densest first; among equals the earliest asked, so the grouping does not depend on luck.
    order = np.lexsort((np.arange(len(questions)), -neighbours))
    free = np.ones(len(questions), dtype=bool)
    groups: list[np.ndarray] = []
    for lead in order:
        if not free[lead]:
            continue
        members = np.flatnonzero(free & (vectors @ vectors[lead] >= threshold))
        members = np.union1d(members, [lead])
        free[members] = False
        groups.append(members)
    found = [_cluster(questions, vectors, members) for members in groups]
    return sorted(
        found, key=lambda c: (-c.clients, -len(c.questions), -c.last_asked.timestamp(), c.id)
    )


def _cluster(
    questions: Sequence[GapQuestion], vectors: np.ndarray, members: np.ndarray
) -> GapCluster:
    chosen = vectors[members]
    centre = chosen.mean(axis=0)
    central = int(members[int(np.argmax(chosen @ centre))])
    asked = sorted((questions[int(i)] for i in members), key=lambda q: q.message_id)
    return GapCluster(
        id=asked[0].message_id,
        question=questions[central].text,
        questions=tuple(asked),
        clients=len({q.asker for q in asked}),
        last_asked=max(q.asked_at for q in asked),
        languages=tuple(sorted({q.lang for q in asked})),
    )


def _normalised(vectors: np.ndarray) -> np.ndarray:
    rows = np.asarray(vectors, dtype=np.float32)
    if rows.ndim != 2:
        raise ValueError("embed must return one row per text")
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1.0)
