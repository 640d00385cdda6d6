"""A knowledge gap closed end to end with the real embedding model on a tiny knowledge base:
the bot cannot answer, staff see the gap (`aftercare kb gaps`), write the answer (`kb gap-draft`)
and approve it (`kb approve`), and the running bot answers the question from the new article."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.core.clock import FakeClock
from bot.core.settings import Settings
from tests.conftest import START
from tests.features.faq.support import ask
from tests.support.cli import invoke
from tests.support.kb import write_kb

QUESTION = "Can I export my invoices as PDF?"


async def _cli(*args: str) -> str:
    """The real CLI, in a thread: it runs its own event loop."""
    code, out, err = await asyncio.to_thread(invoke, *args)
    assert code == 0, err
    return out


async def _seed(app: App) -> None:
    for code, handle, name in (("ACME", "alice", "Alice"), ("GLOBEX", "li", "Li Na")):
        await app.directory.add_client(f"{code.title()} Corp", code)
        await app.directory.add_contact(code, handle, name, lang="en")
        await app.directory.link(code, handle, "console", handle)


async def test_an_approved_gap_answer_is_served(
    cli_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_kb(tmp_path / "kb")
    monkeypatch.setenv("AFTERCARE_KB_DIR", str(tmp_path / "kb"))
    monkeypatch.setenv("AFTERCARE_PASSAGE_MODEL", "none")  # the e5 model is not needed here
    monkeypatch.setenv("AFTERCARE_KB_RECHECK_SECONDS", "0")
    await _cli("index")
    clock = FakeClock(START)
    app = await build_app(Settings(_env_file=None), clock=clock, with_kb=True)  # type: ignore[call-arg]
    try:
        await _seed(app)
        [before] = await ask(app, clock, "alice", QUESTION)
        assert before.kind in ("faq_abstain", "faq_choices")
        await ask(app, clock, "li", "Can I export invoices as a PDF?")

        listed = await _cli("kb", "gaps")
        row = next(line for line in listed.splitlines() if "export" in line)
        cluster_id, clients, asked = re.findall(r"\d+", row)[:3]
        assert (clients, asked) == ("2", "2"), listed
        drafted = await _cli(
            "kb", "gap-draft", cluster_id, "--answer", "Yes: Billing, then Export, then PDF."
        )
        draft_id = f"gap-{cluster_id}"
        assert f"draft {draft_id}" in drafted
        approved = await _cli("kb", "approve", draft_id)
        assert "closed 2 knowledge-gap question(s)" in approved
        assert "no open knowledge gaps" in await _cli("kb", "gaps")

        # The running bot picks the published index up in the background, without a restart.
        for _ in range(100):
            [after] = await ask(app, clock, "alice", QUESTION)
            if after.kind == "faq_answer":
                break
            await asyncio.sleep(0.1)
        assert after.kind == "faq_answer", after
        assert after.meta["article"] == draft_id
        assert "Billing, then Export" in after.text
    finally:
        await app.close()
