"""The console adapter: scripted chats through the real CLI, replies and the message log."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from bot.storage.models import Message
from tests.support.cli import invoke


def _log(url: str) -> list[tuple[str, str]]:
    async def work() -> list[tuple[str, str]]:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                rows = await connection.execute(
                    select(Message.direction, Message.text, Message.payload).order_by(Message.id)
                )
                # Pushes are not turns (a follow-up may be due, depending on the hour in Berlin).
                return [(d, t) for d, t, p in rows.all() if "outbox" not in (p or {})]
        finally:
            await engine.dispose()

    return asyncio.run(work())


def test_scripted_chat_answers_and_logs(cli_env: str) -> None:
    assert invoke("demo", "seed")[0] == 0
    code, out, err = invoke("chat", "--as", "alice", "--script", stdin="/help\n\n/nope\n")
    assert code == 0, err
    assert "> /help" in out and "/ticket - report a problem" in out
    assert "I don't know the command /nope" in out
    assert "How likely are you to recommend" not in out  # the demo's first NPS round is ahead
    log = _log(cli_env)
    assert [d for d, _ in log] == ["in", "out", "in", "out"]
    assert log[0] == ("in", "/help")


def test_numbered_choice_picks_a_button(cli_env: str) -> None:
    invoke("demo", "seed")
    code, out, _ = invoke("chat", "--as", "wang", "--script", stdin="今天天气怎么样\n2\n")
    assert code == 0
    # No knowledge base is configured in this test, so the bot says so honestly in Chinese.
    assert "知识库暂时无法使用" in out


def test_chat_as_unknown_contact_is_refused(cli_env: str) -> None:
    invoke("demo", "seed")
    code, _, err = invoke("chat", "--as", "nobody", "--script", stdin="hi\n")
    assert code == 1 and "no contact 'nobody'" in err
