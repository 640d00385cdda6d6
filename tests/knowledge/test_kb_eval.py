"""`aftercare eval`'s arithmetic: how the answer and suggest thresholds are chosen on val,
and the per-language breakdown of the metrics."""

from __future__ import annotations

import numpy as np

from indexer.evaluate import Outcome, Query, choose_threshold, report, suggest_threshold

KEYS = [
    "p_at_1",
    "mrr_at_10",
    "in_scope_accuracy",
    "oos_recall",
    "threshold",
    "n_test",
    "latency_ms_p50",
    "latency_ms_p99",
    "section_acc",
    "answered_right",
    "wrong_confident",
]


def hit(score: float, lang: str = "en", gold: str = "a") -> Outcome:
    return Outcome(gold, ("a", "b", "c"), score, 1.0, lang)  # type: ignore[arg-type]


def miss(score: float, lang: str = "en", rank: int = 2) -> Outcome:
    """An in-scope query whose gold article `a` is ranked `rank` (0: not in the top 10)."""
    ranked = ("b", "c", "a", "d") if rank == 3 else ("b", "a", "c") if rank == 2 else ("b",)
    return Outcome("a", ranked, score, 1.0, lang)  # type: ignore[arg-type]


def oos(score: float, lang: str = "en") -> Outcome:
    return Outcome(None, ("a", "b"), score, 1.0, lang)  # type: ignore[arg-type]


def test_answering_counts_twice_as_much_as_abstaining() -> None:
    # Cutting above 0.66 instead of at 0.65 abstains on 15 more of 100 out-of-scope queries
    # but loses 10 of 100 in-scope answers: 0.5 x 0.15 is worth less than 0.1 (with equal
    # weights, the higher cut would win).
    val = [hit(0.8)] * 90 + [hit(0.65)] * 10 + [oos(0.3)] * 85 + [oos(0.66)] * 15
    assert choose_threshold(val) == 0.65
    assert report(val, 0.65)["oos_recall"] == 0.85
    assert choose_threshold(val, oos_weight=1.0) > 0.66  # the bot's settings: equal weights


def test_the_recall_floor_holds_with_a_margin_on_a_small_set() -> None:
    # 9 of 10 out-of-scope queries abstained is 0.9, but its 90% lower bound is under 0.75:
    # with so few, every one of them must fall below the cut, even the one at 0.9.
    val = [hit(s) for s in np.linspace(0.6, 0.95, 20)] + [oos(0.1 * i) for i in range(1, 6)]
    val += [oos(0.52), oos(0.53), oos(0.54), oos(0.55), oos(0.9)]
    threshold = choose_threshold(val)
    assert 0.9 < threshold < 0.91
    assert report(val, threshold)["oos_recall"] == 1.0
    # With many more out-of-scope queries below the cut, one stray one is allowed.
    many = val + [oos(0.2)] * 90
    assert choose_threshold(many) == 0.6


def test_without_out_of_scope_queries_the_cut_keeps_nine_in_ten_right_answers() -> None:
    # Wrong top-1 answers are no stand-in for off-topic questions: cutting above them (0.4)
    # would throw away the right answers scored lower; the cut keeps 90% of the right ones.
    val = [hit(0.9)] * 10 + [miss(0.95)] * 10 + [hit(0.3), hit(0.5)] + [hit(0.8)] * 8
    threshold = choose_threshold(val)
    assert threshold == 0.5
    metrics = report(val, threshold)
    assert (metrics["in_scope_accuracy"], metrics["oos_recall"]) == (round(19 / 30, 4), None)
    assert metrics["wrong_confident"] == round(10 / 30, 4)
    assert choose_threshold([miss(0.4)]) == 0.0  # nothing right to keep


def test_section_metrics_count_the_section_shown() -> None:
    def shown(section: tuple[str, ...], score: float = 0.9, gold: str = "a") -> Outcome:
        return Outcome(gold, ("a", "b"), score, 1.0, "en", section, "Picture mode")

    test = [
        shown(("Settings", "Picture mode")),  # the innermost heading is the gold one
        shown(("picture  MODE",)),  # case and spacing do not matter
        shown(("Sound",)),  # the right article, the wrong section
        shown(("Picture mode",), score=0.2),  # right but not confident
        shown(("Picture mode",), gold="b"),  # the wrong article, confident
        oos(0.3),
    ]
    metrics = report(test, 0.5)
    assert metrics["section_acc"] == 0.6
    assert metrics["answered_right"] == 0.4
    assert metrics["wrong_confident"] == 0.2
    assert report([hit(0.9)], 0.5)["section_acc"] is None  # no gold sections in the set


def test_suggest_threshold_keeps_the_near_misses_below_the_answer_cut() -> None:
    val = [hit(0.8)] * 30 + [miss(s, rank=3) for s in np.linspace(0.3, 0.5, 21)]
    val += [miss(0.05, rank=0), miss(0.9, rank=2)]  # not in the top 3; above the cut
    assert suggest_threshold(val, 0.6) == 0.31
    assert suggest_threshold([hit(0.8)], 0.6) == 0.6


def test_report_keeps_its_keys_and_adds_a_breakdown_by_language() -> None:
    test = [hit(0.9, "en"), miss(0.8, "en"), oos(0.2, "en")]
    test += [hit(0.9, "zh"), hit(0.5, "zh"), oos(0.7, "zh"), oos(0.1, "zh")]
    metrics = report(test, 0.6)
    assert list(metrics) == [*KEYS, "by_lang"]
    assert (metrics["p_at_1"], metrics["in_scope_accuracy"]) == (0.75, 0.5)
    assert metrics["oos_recall"] == round(2 / 3, 4)
    en, zh = metrics["by_lang"]["en"], metrics["by_lang"]["zh"]
    assert list(metrics["by_lang"]) == ["en", "zh"]
    assert (en["n_test"], en["p_at_1"], en["mrr_at_10"], en["in_scope_accuracy"]) == (
        3,
        0.5,
        0.75,
        0.5,
    )
    assert (zh["n_test"], zh["p_at_1"], zh["in_scope_accuracy"], zh["oos_recall"]) == (
        4,
        1.0,
        0.5,
        0.5,
    )
    assert en["threshold"] == zh["threshold"] == 0.6


def test_queries_know_their_language() -> None:
    assert Query("1", "客服周末上班吗", "hours").lang == "zh"
    assert Query("2", "when are you open", None).lang == "en"


def test_the_wrong_weight_counts_confident_wrong_answers_against_a_cut() -> None:
    # Ten wrong top-1 answers at 0.7 and five right ones at 0.65: the benchmark objective
    # answers them all; counting a confident wrong answer as a loss cuts above them.
    val = [hit(0.9)] * 20 + [hit(0.65)] * 5 + [miss(0.7)] * 10 + [oos(0.2)] * 40
    assert choose_threshold(val) <= 0.65  # the right answers at 0.65 kept, the wrong ones too
    cut = choose_threshold(val, wrong_weight=1.0)
    assert 0.7 < cut <= 0.9
    assert report(val, cut)["wrong_confident"] == 0.0
