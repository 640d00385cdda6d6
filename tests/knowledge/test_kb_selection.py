"""Which set-ups `aftercare eval` measures on val before it reports the best one."""

from __future__ import annotations

from bot.knowledge.articles import Article, Section
from indexer.content import Unit
from indexer.selection import Candidate, candidates, objective


def units(n: int, title: str = "How do I reset my password") -> list[Unit]:
    return [
        Unit(f"f{i}", str(i), (Article(f"a{i}", "en", f"{title} {i}", "x", (Section("s", "t"),)),))
        for i in range(n)
    ]


def test_an_english_faq_also_tries_no_head_and_minilm() -> None:
    found = candidates(units(30), ["how do I log in"], "use", None, choose=True)
    assert found == [Candidate("use", None), Candidate("use", False), Candidate("minilm", False)]


def test_chinese_sets_skip_minilm_and_small_ones_the_head_variant() -> None:
    assert candidates(units(30), ["怎么登录"], "use", None, choose=True) == [
        Candidate("use", None),
        Candidate("use", False),
    ]
    assert candidates(units(5, "密码"), ["x"], "use", None, choose=True) == [Candidate("use", None)]


def test_choosing_off_or_an_explicit_head_measures_one_set_up() -> None:
    assert candidates(units(30), ["hi"], "use", None, choose=False) == [Candidate("use", None)]
    assert candidates(units(30), ["hi"], "use", True, choose=True) == [
        Candidate("use", True),
        Candidate("minilm", False),
    ]


def test_the_objective_is_the_thresholds_with_p_at_1_breaking_ties() -> None:
    metrics = {
        "in_scope_accuracy": 0.8,
        "oos_recall": 0.9,
        "wrong_confident": 0.1,
        "p_at_1": 0.85,
        "answered_right": None,
    }
    assert objective(metrics, 0.5, 1.0) == (1.15, 0.85)  # 0.8 + 0.5 x 0.9 - 0.1
    assert objective({**metrics, "oos_recall": None}, 0.5, 0.0) == (0.8, 0.85)
    # A set naming sections counts an answer right only with the right section.
    assert objective({**metrics, "answered_right": 0.6}, 0.5, 0.0) == (1.05, 0.85)
