"""`aftercare eval` chooses the retrieval set-up per knowledge base by measurement on its own
val split: the default (use, with the tuned head when cheap) suits FAQ sets with many
paraphrases per entry; for short FAQs (a few phrasings each) the head overfits and, on English
sets, all-MiniLM-L6-v2 can be the better encoder (an issue reported the bot at P@1 0.81 on a
StackExchange FAQ set where MiniLM alone got 0.96). The candidates are built and asked on
val; the best by the threshold objective is reported on test."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.i18n import detect_lang
from indexer.build import TUNE_MIN_ARTICLES
from indexer.content import Unit


@dataclass(frozen=True)
class Candidate:
    backend: str
    tune: bool | None  # None: the default (fitted when cheap)

    @property
    def label(self) -> str:
        head = {None: "head when cheap", True: "tuned head", False: "no head"}[self.tune]
        return f"{self.backend}, {head}"

    @property
    def slug(self) -> str:
        return f"{self.backend}-{ {None: 'auto', True: 'head', False: 'nohead'}[self.tune] }"


def candidates(
    units: list[Unit], questions: list[str], backend: str, tune: bool | None, choose: bool
) -> list[Candidate]:
    """The set-ups to measure: the configured one first; with `choose`, the same without the
    head (when the head would be fitted) and MiniLM (English-only sets)."""
    first = Candidate(backend, tune)
    if not choose:
        return [first]
    found = [first]
    articles = {a.id for unit in units for a in unit.articles}
    if tune is None and backend == "use" and len(articles) >= TUNE_MIN_ARTICLES:
        found.append(Candidate("use", False))
    texts = questions + [
        text for unit in units for a in unit.articles for text in (a.title, *a.questions[:3])
    ]
    english = all(detect_lang(t) == "en" for t in texts)
    if english and backend != "minilm":
        found.append(Candidate("minilm", False))
    return found


def objective(metrics: dict[str, Any], oos_weight: float, wrong_weight: float) -> tuple[float, ...]:
    """What the threshold maximised, as measured on val at the chosen threshold, with answers
    counted right only with the right section where the set names sections (a manual's
    questions); P@1 breaks ties."""
    right = metrics["answered_right"]
    value = (
        (metrics["in_scope_accuracy"] if right is None else right)
        + oos_weight * (metrics["oos_recall"] or 0.0)
        - wrong_weight * (metrics["wrong_confident"] or 0.0)
    )
    return (round(value, 4), metrics["p_at_1"])
