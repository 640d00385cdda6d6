"""Passages and excerpts: how a section is cut for scoring and trimmed for showing, never
rewritten; and how Markdown headings become heading paths."""

from __future__ import annotations

from pathlib import Path

from bot.knowledge.base import SHOWN_CHARS, IndexedKnowledgeBase
from bot.knowledge.embedders import make_passage_embedder
from bot.knowledge.passages import excerpt, passages
from indexer.build import build_index
from indexer.content import entries_for, parse_article, read_kb
from tests.support.kb import embedder

LONG = (
    "Open the settings menu.\n\n"
    "Choose Network, then Wi-Fi. Pick your network and type its password. "
    "The TV remembers it.\n\n"
    "- Wired: plug the cable in.\n- Mobile hotspot: works as Wi-Fi.\n\n"
    + "If the connection fails, restart the router and try again. "
    * 8
)


def test_passages_cover_the_text_at_paragraph_and_sentence_bounds() -> None:
    spans = passages(LONG, limit=120)
    assert all(end - start <= 120 for start, end in spans)
    words = " ".join(LONG[a:b] for a, b in spans).split()
    assert words == LONG.split()  # every word once, in order
    assert all(LONG[a:b].rstrip().endswith((".", ":", "Wi-Fi.")) for a, b in spans)


def test_chinese_text_is_cut_at_its_own_full_stops() -> None:
    text = "打开设置菜单。选择网络，然后选择无线网络！输入密码？" * 10
    spans = passages(text, limit=40)
    assert all(text[b - 1] in "。！？" for _, b in spans)
    assert "".join(text[a:b] for a, b in spans) == text


def test_an_excerpt_is_the_best_passage_and_its_neighbours_marked_as_cut() -> None:
    spans = passages(LONG, limit=120)
    shown = excerpt(LONG, spans, 1, budget=200)
    assert shown.startswith("… Choose Network") or shown.startswith("Open the settings")
    assert "Choose Network, then Wi-Fi." in shown
    assert shown.endswith(" …")
    assert len(shown) <= 200 + 4
    assert excerpt("Short text.", [(0, 11)], 0, budget=200) == "Short text."


def test_nested_headings_become_paths_and_the_title_line_is_not_a_section(tmp_path: Path) -> None:
    text = (
        "---\nid: tv\ntitle: Smart TV\nlang: en\n---\n"
        "# Smart TV\n\nThe TV in short.\n\n"
        "## Settings\n\n### Picture\n\nBrightness and contrast.\n\n"
        "```\n# not a heading\n```\n\n"
        "### Sound\n\nVolume.\n\n## Help\n\nCall us.\n"
    )
    article = parse_article(text, str(tmp_path / "tv.en.md"))
    assert [(s.path, s.heading) for s in article.sections] == [
        ((), "Smart TV"),
        (("Settings", "Picture"), "Picture"),
        (("Settings", "Sound"), "Sound"),
        (("Help",), "Help"),
    ]
    assert not article.sections[0].text.startswith("#")  # the '# Smart TV' line is the title
    assert "# not a heading" in article.sections[1].text
    assert article.sections[1].trail == "Settings › Picture"
    assert article.is_lead(0) and not article.is_lead(1)
    passages_ = [e for e in entries_for(article) if e.kind == "passage"]
    assert passages_[1].text.startswith("Smart TV › Settings › Picture: Brightness")


MANUAL = (
    """---
id: tv-network
title: Connecting the TV
lang: en
---
# Connecting the TV

How to put the TV on your network.

## Wi-Fi

Open Settings, then General, then Network. Choose Open Network Settings and pick Wireless.

The TV lists the networks it can see. Select yours and type the password with the remote.

If the password is refused, check the caps lock key on the on-screen keyboard.

"""
    + "\n\n".join(
        f"Note {n}: the TV keeps up to {n + 4} saved networks and joins the strongest one."
        for n in range(12)
    )
    + """

## Cable

Plug a network cable into the LAN port at the back. The TV connects by itself.
"""
)


async def test_the_passage_model_picks_the_section_and_a_long_one_is_trimmed(
    tmp_path: Path,
) -> None:
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "tv-network.en.md").write_text(MANUAL, encoding="utf-8")
    e5 = make_passage_embedder("e5")
    build_index(
        read_kb(tmp_path / "kb"),
        tmp_path / "index",
        embedder(),
        progress=False,
        passage_embedder=e5,
    )
    kb = IndexedKnowledgeBase(
        tmp_path / "index",
        tmp_path / "kb",
        embedder(),
        answer_threshold=0.3,
        suggest_threshold=0.2,
        passage_embedder=e5,
    )
    result = await kb.lookup("my wifi password is refused, what should I check?", "en")
    hit = result.hits[0]
    assert (hit.section, hit.title) == ("Wi-Fi", "Connecting the TV")
    assert "caps lock" in hit.text
    assert hit.text.endswith(" …") and len(hit.text) <= SHOWN_CHARS + 4  # trimmed, not rewritten
    assert all(part.strip(" …") in MANUAL for part in hit.text.split("\n\n"))
    assert "#" not in hit.text
    cable = await kb.lookup("where does the network cable go?", "en")
    assert cable.hits[0].section == "Cable"
    await kb.close()
