"""A tiny bilingual knowledge base on disk, and the one embedder the KB tests share."""

from __future__ import annotations

import functools
from pathlib import Path

from bot.knowledge.base import IndexedKnowledgeBase
from bot.knowledge.embedders import UseEmbedder
from indexer.build import BuildReport, build_index
from indexer.content import read_kb

ARTICLES = {
    "accounts/password-reset.en.md": """---
id: password-reset
title: Resetting your password
lang: en
category: accounts
tags: [login]
questions:
  - How do I reset my password?
  - I forgot my password
  - I can't log in because I lost my password
links: [https://docs.example.com/password]
---
Passwords are reset by the user, never by support staff.

## Steps
Open the login page and click "Forgot password". We email you a link valid for 24 hours.

## If the email does not arrive
Check your spam folder first. If it is not there after ten minutes, open a ticket.
""",
    "accounts/password-reset.zh.md": """---
id: password-reset
title: 重置密码
lang: zh
category: accounts
questions:
  - 怎么重置密码？
  - 我忘记密码了
  - 密码丢了，登录不了怎么办
---
## 步骤
打开登录页面，点击“忘记密码”。我们会发送一个24小时内有效的链接。
""",
    "support/support-hours.en.md": """---
id: support-hours
title: Support hours
lang: en
category: support
questions:
  - When is support available?
  - What are your opening hours?
  - Can I call support on weekends?
---
## Hours
Support is staffed Monday to Friday, 9:00 to 18:00 CET. P1 incidents are handled around the clock.
""",
    "support/support-hours.zh.md": """---
id: support-hours
title: 支持时间
lang: zh
category: support
questions:
  - 客服什么时候上班？
  - 你们的服务时间是几点到几点？
  - 周末可以联系技术支持吗？
---
## 服务时间
周一至周五 9:00 至 18:00（欧洲中部时间）提供支持；P1 级故障全天候处理。
""",
}


@functools.cache
def embedder() -> UseEmbedder:
    """One model load for the whole test session (~1 s)."""
    return UseEmbedder()


def write_kb(root: Path, articles: dict[str, str] | None = None) -> Path:
    for name, text in (articles or ARTICLES).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def build(kb_dir: Path, out: Path) -> BuildReport:
    return build_index(read_kb(kb_dir), out, embedder(), progress=False)


def open_kb(
    kb_dir: Path | None,
    out: Path,
    answer: float = 0.75,
    suggest: float = 0.45,
    *,
    recheck: float = 0.0,
) -> IndexedKnowledgeBase:
    """A KB over `out`; by default every question may start a re-check (no waiting in tests)."""
    return IndexedKnowledgeBase(
        out,
        kb_dir,
        embedder(),
        answer_threshold=answer,
        suggest_threshold=suggest,
        recheck_seconds=recheck,
    )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
