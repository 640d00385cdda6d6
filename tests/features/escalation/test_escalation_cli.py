"""`aftercare conversation show` and `aftercare kb drafts|approve` through the real CLI."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli.main import app as cli
from adapters.console.chat import ConsoleSession
from bot.app import build_app
from bot.core.settings import Settings
from bot.features.faq.drafts import write_draft
from tests.support.kb import write_kb


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("AFTERCARE_DATABASE_URL", database_url)
    monkeypatch.setenv("AFTERCARE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("AFTERCARE_KB_DIR", str(tmp_path / "kb"))
    monkeypatch.setenv("AFTERCARE_SLACK_STAFF_CHANNEL", "CSTAFF")
    monkeypatch.chdir(tmp_path)
    return Settings(_env_file=None)  # type: ignore[call-arg]


async def _handoff_conversation(settings: Settings) -> int:
    app = await build_app(settings)
    try:
        await app.directory.add_client("Acme Corp", "ACME")
        await app.directory.add_project("ACME", "Portal", date(2026, 1, 5), 12, "gold", "UTC")
        await app.directory.add_contact("ACME", "alice", "Alice Martin", lang="en")
        alice = ConsoleSession(app, "alice")
        await alice.start()
        await alice.say("Can we get invoices as PDF?")
        await alice.say("/human")
        await app.escalation.take(1, "Sam")
        await app.escalation.relay.staff_reply(1, "Yes, under Billing.", "Sam", key="slack:C:1")
        await app.escalation.hand_back(1, "Sam")
        await alice.say("thanks")
    finally:
        await app.close()
    return 1


def test_conversation_show_prints_transcript_with_states(env: Settings) -> None:
    conversation = asyncio.run(_handoff_conversation(env))
    code, out, err = invoke("conversation", "show", str(conversation))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("conversation 1: console console:")
    assert "Alice Martin, Acme Corp (ACME)" in lines[0] and lines[0].endswith("state bot")
    body = "\n".join(lines[1:])
    order = [
        "< Alice Martin: Can we get invoices as PDF?",
        "< Alice Martin: /human",
        "* Alice Martin: escalated (bot -> waiting_for_human): asked for a person",
        "* Sam: taken (waiting_for_human -> human)",
        ">> Sam (staff): Yes, under Billing.",
        "* Sam: handed_back (human -> bot)",
        "< Alice Martin: thanks",
    ]
    positions = [body.find(needle) for needle in order]
    assert -1 not in positions, body
    assert positions == sorted(positions), body


def test_conversation_show_unknown_id_is_one_line_error(env: Settings) -> None:
    code, _, err = invoke("conversation", "show", "999")
    assert code == 1
    assert err.strip() == "error: no conversation 999"


def test_kb_approve_moves_the_draft_and_reindexes(env: Settings, tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    write_kb(kb)
    write_draft(kb, "handoff-7", "Can we get invoices as PDF?", "Yes: Billing > Export > PDF.")
    code, out, _ = invoke("kb", "drafts")
    assert code == 0 and out.strip().endswith("drafts/handoff-7.en.md")
    code, out, err = invoke("kb", "approve", "handoff-7")
    assert code == 0, err
    assert (kb / "support" / "handoff-7.en.md").is_file()
    assert not list((kb / "drafts").iterdir())
    assert "indexed" in out
    code, out, _ = invoke("ask", "Can we get invoices as PDF?", "--json")
    assert code == 0 and '"article": "handoff-7"' in out


def test_kb_approve_refuses_a_broken_or_missing_draft(env: Settings, tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    write_kb(kb)
    code, _, err = invoke("kb", "approve", "handoff-8")
    assert code == 1 and err.startswith("error: no draft handoff-8")
    draft = write_draft(kb, "handoff-9", "Question?", "Answer.")
    draft.path.write_text("---\nid: handoff-9\n---\n", encoding="utf-8")
    code, _, err = invoke("kb", "approve", "handoff-9")
    assert code == 1 and "front matter is missing" in err
    assert draft.path.is_file()


async def _chat(settings: Settings, *lines: str) -> list[str]:
    app = await build_app(settings)
    try:
        if not await app.directory.list_clients():
            await app.directory.add_client("Acme Corp", "ACME")
            await app.directory.add_project("ACME", "Portal", date(2026, 1, 5), 12, "gold", "UTC")
            await app.directory.add_contact("ACME", "alice", "Alice Martin", lang="en")
        alice = ConsoleSession(app, "alice")
        await alice.start()
        return [r.text for line in lines for r in await alice.say(line)]
    finally:
        await app.close()


def test_terminal_desk_without_slack(env: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """No Slack staff channel: handoff is off until AFTERCARE_STAFF_TERMINAL lets staff answer
    from the terminal; the client gets the answer in their own chat, then the bot again."""
    monkeypatch.delenv("AFTERCARE_SLACK_STAFF_CHANNEL")
    off = asyncio.run(_chat(Settings(_env_file=None), "/human"))  # type: ignore[call-arg]
    assert "not set up" in off[0]
    assert invoke("conversation", "waiting")[1].strip() == "nobody is waiting"

    monkeypatch.setenv("AFTERCARE_STAFF_TERMINAL", "true")
    desk = Settings(_env_file=None)  # type: ignore[call-arg]
    asked = asyncio.run(_chat(desk, "/human", "Can someone call me?"))
    assert "asked a person from the team to join" in asked[0]
    code, out, _ = invoke("conversation", "waiting")
    assert code == 0
    assert out.startswith("#1 ") and "waiting_for_human" in out
    assert "Alice Martin, Acme Corp on console: asked for a person" in out

    code, out, err = invoke("conversation", "reply", "1", "I'll call at 5.", "--by", "Sam")
    assert (code, out.strip()) == (0, "#1: sent"), err
    assert "human (Sam)" in invoke("conversation", "waiting")[1]
    [answer] = asyncio.run(_chat(desk, "great"))  # the bot stays quiet: a person has it
    assert answer == "I'll call at 5.\n— Sam (support team)"

    assert invoke("conversation", "handback", "1", "--by", "Sam")[1].strip() == "#1: bot"
    code, _, err = invoke("conversation", "reply", "1", "too late", "--by", "Sam")
    assert code == 1 and "is with the bot" in err
    back = asyncio.run(_chat(desk, "/help"))
    assert "Sam has handed you back" in back[0] and "/ticket" in back[1]
    code, _, err = invoke("conversation", "take", "42", "--by", "Sam")
    assert code == 1 and err.strip() == "error: no conversation 42"
    code, _, err = invoke("conversation", "reply", "1", "  ", "--by", "Sam")
    assert code == 2 and "the reply is empty" in err
