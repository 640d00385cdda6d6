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
from bot.i18n import Lang, detect_lang
from bot.knowledge.retrieval import Retriever


@dataclass(frozen=True)
class Query:
    qid: str
    text: str
    gold: str | None

    @property
    def lang(self) -> Lang:
        return detect_lang(self.text)


@dataclass(frozen=True)
class Outcome:
    """A query's ranking: the top-10 article ids and the top score."""

    gold: str | None
    ranked: tuple[str, ...]
    score: float
    ms: float
    lang: Lang = "en"


def read_queries(path: Path) -> list[Query]:
    if not path.is_file():
        raise KnowledgeBaseError(f"{path} does not exist (expected {{qid, query, gold_id}} lines)")
    queries = []
    with path.open("rb") as rows:  # json.loads decodes, so a bad byte is a 'bad query' line
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
        articles = tuple(s.article for s in ranked)
        outcomes.append(Outcome(query.gold, articles, top, ms, query.lang))
    return outcomes


# How `aftercare eval` picks the answer threshold on val (see choose_threshold).
OOS_WEIGHT = 0.5
MIN_OOS_RECALL = 0.75
CONFIDENCE_Z = 1.2816  # one-sided 90%


def choose_threshold(outcomes: list[Outcome], oos_weight: float = OOS_WEIGHT) -> float:
    """The answer threshold for these (val) outcomes.

    Maximises in-scope accuracy + `oos_weight` (default OOS_WEIGHT) × out-of-scope recall: answering in-scope
    questions counts twice as much as abstaining, as in the issue's target (in-scope accuracy
    >= 0.95 first, out-of-scope recall a floor of 0.75). Only cuts whose out-of-scope recall
    is at least MIN_OOS_RECALL with 90% confidence (Wilson lower bound) qualify, so a small
    val set gets a margin (with a handful of out-of-scope queries, only cuts rejecting all).
    A set without out-of-scope queries has no floor, and its in-scope queries whose top-1 is
    wrong stand in for them (abstaining is right for those).
    """
    inside = [o for o in outcomes if o.gold is not None]
    outside = [o.score for o in outcomes if o.gold is None]
    correct = np.sort([o.score for o in inside if o.ranked[:1] == (o.gold,)])
    negatives = np.sort(outside or [o.score for o in inside if o.ranked[:1] != (o.gold,)])
    above = [np.nextafter(negatives[-1], np.inf)] if len(negatives) else []
    candidates = np.unique(np.concatenate([correct, negatives, above, [0.0]]))
    accuracy = (len(correct) - np.searchsorted(correct, candidates)) / max(len(inside), 1)
    abstained = np.searchsorted(negatives, candidates)
    recall = abstained / max(len(negatives), 1)
    objective = accuracy + oos_weight * recall
    if outside:
        bound = _wilson_lower(abstained, len(negatives))
        # A set too small to show the floor at all (a handful of queries) must abstain on all.
        objective = np.where(bound >= min(MIN_OOS_RECALL, bound.max()), objective, -np.inf)
    return float(candidates[int(np.argmax(objective))])


def _wilson_lower(hits: np.ndarray[Any, Any], n: int) -> np.ndarray[Any, Any]:
    """One-sided lower confidence bound of a proportion hits/n (Wilson score interval)."""
    z2 = CONFIDENCE_Z**2
    p = hits / n
    spread = CONFIDENCE_Z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return np.asarray((p + z2 / (2 * n) - spread) / (1 + z2 / n))


def report(outcomes: list[Outcome], threshold: float) -> dict[str, Any]:
    """The metrics of `aftercare eval --json`, overall and `by_lang` (the same threshold)."""
    overall = _metrics(outcomes, threshold)
    by_lang = {
        lang: _metrics([o for o in outcomes if o.lang == lang], threshold)
        for lang in sorted({o.lang for o in outcomes})
    }
    return {**overall, "by_lang": by_lang}


def _metrics(outcomes: list[Outcome], threshold: float) -> dict[str, Any]:
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
    """The 'did you mean' cut: it keeps 95% of the near misses, the in-scope queries that score
    below the answer threshold with the gold article in their top 3 (the answer threshold
    itself when there are none)."""
    near = [
        o.score
        for o in outcomes
        if o.gold is not None and o.gold in o.ranked[:3] and o.score < threshold
    ]
    if not near:
        return round(threshold, 4)
    return round(float(np.percentile(near, 5)), 4)
