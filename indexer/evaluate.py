"""`aftercare eval`: index an FAQ set, pick the threshold on val queries, report on test queries."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.errors import KnowledgeBaseError
from bot.knowledge.retrieval import Retriever


@dataclass(frozen=True)
class Query:
    qid: str
    text: str
    gold: str | None


@dataclass(frozen=True)
class Outcome:
    """A query's ranking: the top-10 article ids and the top score."""

    gold: str | None
    ranked: tuple[str, ...]
    score: float
    ms: float


def read_queries(path: Path) -> list[Query]:
    if not path.is_file():
        raise KnowledgeBaseError(f"{path} does not exist (expected {{qid, query, gold_id}} lines)")
    queries = []
    with path.open(encoding="utf-8") as rows:
        for number, raw in enumerate(rows, start=1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
                gold = row.get("gold_id")
                queries.append(Query(str(row["qid"]), str(row["query"]), gold and str(gold)))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise KnowledgeBaseError(f"{path}:{number}: bad query ({exc})") from None
    return queries


def run_queries(retriever: Retriever, queries: list[Query], label: str) -> list[Outcome]:
    from tqdm import tqdm

    outcomes = []
    for query in tqdm(queries, desc=label, unit="query", file=sys.stderr):
        started = time.perf_counter()
        ranked, _ = retriever.rank(query.text, limit=10)
        ms = (time.perf_counter() - started) * 1000
        top = ranked[0].score if ranked else float("-inf")
        outcomes.append(Outcome(query.gold, tuple(s.article for s in ranked), top, ms))
    return outcomes


def choose_threshold(outcomes: list[Outcome]) -> float:
    """The score cut that maximises in-scope accuracy + abstention recall on these outcomes.

    Abstaining is right for an out-of-scope query; when a set has none, it is right for an
    in-scope query whose top-1 is wrong.
    """
    inside = [o for o in outcomes if o.gold is not None]
    outside = [o for o in outcomes if o.gold is None]
    correct = np.array([o.score for o in inside if o.ranked[:1] == (o.gold,)])
    negatives = np.array(
        [o.score for o in outside]
        if outside
        else [o.score for o in inside if o.ranked[:1] != (o.gold,)]
    )
    candidates = np.unique(np.concatenate([correct, negatives, [0.0]]))
    best, best_t = -1.0, 0.0
    for t in candidates:
        accuracy = (correct >= t).sum() / max(len(inside), 1)
        abstain = (negatives < t).mean() if len(negatives) else 0.0
        if accuracy + abstain > best:
            best, best_t = accuracy + abstain, float(t)
    return best_t


def report(outcomes: list[Outcome], threshold: float) -> dict[str, Any]:
    inside = [o for o in outcomes if o.gold is not None]
    outside = [o for o in outcomes if o.gold is None]
    n_in = max(len(inside), 1)
    ranks = [o.ranked.index(o.gold) + 1 if o.gold in o.ranked else 0 for o in inside]
    latencies = np.array([o.ms for o in outcomes]) if outcomes else np.zeros(1)
    return {
        "p_at_1": round(sum(r == 1 for r in ranks) / n_in, 4),
        "mrr_at_10": round(sum(1 / r for r in ranks if r) / n_in, 4),
        "in_scope_accuracy": round(
            sum(o.ranked[:1] == (o.gold,) and o.score >= threshold for o in inside) / n_in, 4
        ),
        "oos_recall": round(sum(o.score < threshold for o in outside) / len(outside), 4)
        if outside
        else None,
        "threshold": round(threshold, 4),
        "n_test": len(outcomes),
        "latency_ms_p50": round(float(np.percentile(latencies, 50)), 3),
        "latency_ms_p99": round(float(np.percentile(latencies, 99)), 3),
    }


def suggest_threshold(outcomes: list[Outcome], threshold: float) -> float:
    """A 'did you mean' cut: 95% of in-scope queries with the gold in the top 3 score above it."""
    near = [o.score for o in outcomes if o.gold is not None and o.gold in o.ranked[:3]]
    if not near:
        return threshold
    return round(min(threshold, float(np.percentile(near, 5))), 4)
