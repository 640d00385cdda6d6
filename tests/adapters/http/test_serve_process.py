"""`aftercare serve` as a process, over loopback HTTP, against fake Slack and Telegram APIs:
what a client receives through the real entry point, including when the server is stopped,
killed, overloaded with garbage or rate limited. Nothing acknowledged is lost; nothing twice."""

from __future__ import annotations

import asyncio
import json
import signal
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.app import App
from bot.features.escalation.desk import thread_key
from bot.storage.models import Conversation
from bot.storage.models_slack import SlackThread
from tests.features.escalation.test_escalation_slack import STAFF, staff_reply
from tests.support.http import serve_on_free_port
from tests.support.kb import build, write_kb
from tests.support.serve_process import Child, serve, worker
from tests.support.slack import SECRET as SLACK_SECRET
from tests.support.slack import TEAM, FakeSlackApi, dm, event_body, signed
from tests.support.telegram import ALICE, SECRET, TOKEN, FakeBotApi, private_text

pytestmark = pytest.mark.usefixtures("no_proxy")


@pytest.fixture(scope="module")
def kb_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The tiny bilingual KB of the KB tests, built once for this module."""
    root = tmp_path_factory.mktemp("kb")
    kb_dir, out = write_kb(root / "knowledge"), root / "index"
    build(kb_dir, out)
    return kb_dir, out


@dataclass
class Platforms:
    slack: FakeSlackApi
    telegram: FakeBotApi
    env: dict[str, str]


@pytest.fixture
async def platforms(
    seeded: App, database_url: str, tmp_path: Path, kb_index: tuple[Path, Path]
) -> AsyncIterator[Platforms]:
    """Fake Slack and Telegram APIs on loopback, and the environment a server needs to use
    them, this test's database and the built index. alice is linked on both platforms."""
    await seeded.directory.link("ACME", "alice", "slack", "UALICE", TEAM)
    await seeded.directory.link("ACME", "alice", "telegram", str(ALICE["id"]))
    slack, telegram = FakeSlackApi(), FakeBotApi()
    slack_server, slack_task, slack_url = await serve_on_free_port(slack.asgi())
    tg_server, tg_task, tg_url = await serve_on_free_port(telegram.asgi())
    kb_dir, index_dir = kb_index
    env = {
        "AFTERCARE_DATABASE_URL": database_url,
        "AFTERCARE_DATA_DIR": str(tmp_path / "var"),
        "AFTERCARE_KB_DIR": str(kb_dir),
        "AFTERCARE_INDEX_DIR": str(index_dir),
        "AFTERCARE_FAQ_ANSWER_THRESHOLD": "0.6",
        "AFTERCARE_FAQ_SUGGEST_THRESHOLD": "0.4",
        "AFTERCARE_SLACK_BOT_TOKEN": "xoxb-test",
        "AFTERCARE_SLACK_SIGNING_SECRET": SLACK_SECRET,
        "AFTERCARE_SLACK_API_URL": f"{slack_url}/api/",
        "AFTERCARE_TELEGRAM_TOKEN": TOKEN,
        "AFTERCARE_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "AFTERCARE_TELEGRAM_API_URL": f"{tg_url}/bot",
        "AFTERCARE_INTAKE_LEASE_SECONDS": "5",
        "AFTERCARE_OUTBOX_LEASE_SECONDS": "5",
        "AFTERCARE_DRAIN_SECONDS": "5",
        "AFTERCARE_LOG_LEVEL": "INFO",
    }
    try:
        yield Platforms(slack, telegram, env)
    finally:
        for server, task in ((slack_server, slack_task), (tg_server, tg_task)):
            server.should_exit = True
            await task


@pytest.fixture
async def children() -> AsyncIterator[list[Child]]:
    started: list[Child] = []
    try:
        yield started
    finally:
        for child in started:
            await child.stop()


async def _start(children: list[Child], child: Child) -> Child:
    children.append(child)
    await child.start()
    return child


async def _slack_post(http: httpx.AsyncClient, body: str) -> int:
    headers = {"Content-Type": "application/json", **signed(body)}
    return (await http.post("/slack/events", content=body, headers=headers)).status_code


async def _thread_ts(app: App, conversation_id: int) -> str:
    """The staff thread's root ts, recorded by the server once Slack answered its post."""
    for _ in range(1000):
        async with app.db.session() as session:
            ts = await session.scalar(
                select(SlackThread.ts).where(SlackThread.key == thread_key(conversation_id))
            )
        if ts is not None:
            return ts
        await asyncio.sleep(0.05)
    raise AssertionError(f"no staff thread for conversation {conversation_id}")


async def _declared_huge(url: str) -> int:
    """Declare a 100 MB body and send none of it: refused on the headers alone."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100000000\r\n\r\n"
    )
    await writer.drain()
    status = await asyncio.wait_for(reader.readline(), 10)
    writer.close()
    return int(status.split()[1])


async def _until(check: Any, seconds: float = 60.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out waiting")


def _answers(slack: FakeSlackApi) -> Counter[str]:
    """Answers per DM channel (each test event writes from its own DM channel)."""
    return Counter(str(p["channel"]) for p in slack.posts() if str(p["channel"]).startswith("D"))


async def test_a_linked_client_gets_cited_answers_on_slack_and_telegram(
    platforms: Platforms, children: list[Child]
) -> None:
    server = await _start(children, serve(platforms.env))
    async with httpx.AsyncClient(base_url=await server.url()) as http:
        health = await http.get("/healthz")
        assert health.json() == {
            "status": "ok",
            "database": "ok",
            "channels": ["slack", "telegram"],
        }
        body = event_body(dm("How do I reset my password?"), event_id="EvKB1")
        assert await _slack_post(http, body) == 200
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        update = private_text("我忘记密码了", update_id=9001)
        assert (
            await http.post("/telegram/webhook", json=update, headers=headers)
        ).status_code == 200
        await _until(lambda: platforms.slack.posts() and platforms.telegram.sent())
        metrics = (await http.get("/metrics")).text
    [post] = platforms.slack.posts()
    assert "Forgot password" in post["text"]
    assert "Resetting your password" in json.dumps(post["blocks"])  # the citation
    [sent] = platforms.telegram.sent()
    assert "忘记密码" in sent["text"] and "Source" in sent["text"]
    assert 'aftercare_events_processed_total{channel="slack"} 1.0' in metrics
    assert "aftercare_retrieval_seconds_count" in metrics


async def test_sigterm_after_the_ack_loses_nothing(
    platforms: Platforms, children: list[Child]
) -> None:
    """Acknowledged events still in hand at SIGTERM are drained or handed back; a new
    server (here a worker) answers the rest, each exactly once."""
    env = {**platforms.env, "AFTERCARE_DRAIN_SECONDS": "0"}  # hand back at once
    server = await _start(children, serve(env))
    async with httpx.AsyncClient(base_url=await server.url()) as http:
        codes = await asyncio.gather(
            *(
                _slack_post(http, event_body(dm("/help", user=f"U{n}", channel=f"D{n}"), f"Ev{n}"))
                for n in range(40)
            )
        )
    assert codes == [200] * 40
    server.signal(signal.SIGTERM)
    # uvicorn shuts down gracefully, then re-raises the signal it caught (exit -15).
    assert await server.wait() in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in server.output
    await _start(children, worker(platforms.env))
    await _until(lambda: len(_answers(platforms.slack)) == 40)
    await asyncio.sleep(1.0)  # time for a duplicate to show
    assert set(_answers(platforms.slack).values()) == {1}
    assert "Traceback" not in server.output


async def test_kill_9_mid_stream_loses_nothing_and_repeats_at_most_what_was_in_flight(
    platforms: Platforms, children: list[Child]
) -> None:
    server = await _start(children, serve(platforms.env))
    acked: list[int] = []
    async with httpx.AsyncClient(base_url=await server.url()) as http:

        async def send(n: int) -> None:
            body = event_body(dm("/help", user=f"U{n}", channel=f"D{n}"), f"Ev{n}")
            try:
                if await _slack_post(http, body) == 200:
                    acked.append(n)
            except httpx.HTTPError:
                pass  # killed before it answered: Slack would retry; not acknowledged

        senders = [asyncio.create_task(send(n)) for n in range(60)]
        await _until(lambda: len(platforms.slack.posts()) >= 5, 30)
        server.signal(signal.SIGKILL)
        await asyncio.gather(*senders)
    await server.wait()
    await _start(children, serve(platforms.env))  # back up; leases run out (5 s here)
    await _until(lambda: set(acked) <= {int(c[1:]) for c in _answers(platforms.slack)}, 60)
    await asyncio.sleep(1.0)
    repeats = sum(n - 1 for n in _answers(platforms.slack).values())
    # At most one per message the killed process had in flight: each processing slot sends
    # its turn's answer, each outbox lane one message (defaults 8 + 4).
    assert repeats <= 12


async def test_429_from_slack_waits_retry_after_and_sends_once(
    platforms: Platforms, children: list[Child]
) -> None:
    platforms.slack.limit("chat.postMessage", times=1, retry_after=2)
    server = await _start(children, serve(platforms.env))
    async with httpx.AsyncClient(base_url=await server.url()) as http:
        assert await _slack_post(http, event_body(dm("/help"), "EvLimited")) == 200
        started = asyncio.get_running_loop().time()
        await _until(lambda: platforms.slack.posts(), 30)
        waited = asyncio.get_running_loop().time() - started
    assert waited >= 1.5
    assert len(platforms.slack.posts()) == 1
    assert [name for name, _ in platforms.slack.calls].count("429:chat.postMessage") == 1


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({"Content-Type": "application/json"}, b'{"type": "event_callback"', 401),  # unsigned
        ({"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=x"}, b"{}", 401),
        ({}, b"\xff\xfe" * 10, 401),
        ({}, b"[" * 100_000, 401),
    ],
)
async def test_unsigned_garbage_gets_a_short_4xx_and_no_traceback(
    platforms: Platforms,
    children: list[Child],
    headers: dict[str, str],
    body: bytes,
    status: int,
) -> None:
    server = await _start(children, serve(platforms.env))
    async with httpx.AsyncClient(base_url=await server.url()) as http:
        response = await http.post("/slack/events", content=body, headers=headers)
        assert response.status_code == status
        assert await _declared_huge(await server.url()) == 413
        forged_tg = await http.post(
            "/telegram/webhook",
            content=b'{"update_id": 1, "message": {"x": ' + b"[" * 5000 + b"]" * 5000 + b"}}",
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        assert forged_tg.status_code == 400
        assert (await http.get("/healthz")).status_code == 200
    await server.stop()
    assert "Traceback" not in server.output
    assert "event_callback" not in server.output  # a refused body is never logged


async def test_signed_bodies_that_are_not_json_or_too_deep_get_400(
    platforms: Platforms, children: list[Child]
) -> None:
    server = await _start(children, serve(platforms.env))
    async with httpx.AsyncClient(base_url=await server.url()) as http:
        for raw in ("not json", "[" * 5000 + "]" * 5000, '"a string"'):
            headers = {"Content-Type": "application/json", **signed(raw)}
            response = await http.post("/slack/events", content=raw, headers=headers)
            assert response.status_code == 400
    await server.stop()
    assert "Traceback" not in server.output


async def test_a_telegram_client_reaches_a_person_on_slack_and_gets_the_reply(
    platforms: Platforms, children: list[Child], seeded: App
) -> None:
    """EscalationStart through the real server: /human on Telegram opens a thread in the Slack
    staff channel; a staff reply in that thread reaches the client on Telegram. And /project
    on Slack shows the client's own project."""
    env = {**platforms.env, "AFTERCARE_SLACK_STAFF_CHANNEL": STAFF}
    server = await _start(children, serve(env))
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with httpx.AsyncClient(base_url=await server.url()) as http:
        update = private_text("/human", update_id=9101)
        assert (
            await http.post("/telegram/webhook", json=update, headers=headers)
        ).status_code == 200
        await _until(lambda: [p for p in platforms.slack.posts() if p["channel"] == STAFF])
        async with seeded.db.session() as session:
            conversation = await session.scalar(select(Conversation.id))
        assert conversation is not None
        thread = await _thread_ts(seeded, conversation)
        reply = staff_reply(
            "Hello Alice, Sam here: I am looking at it now.", thread, "1700000900.1"
        )
        body = event_body(reply, event_id="EvStaffReply")
        assert await _slack_post(http, body) == 200
        await _until(lambda: any("Sam here" in m["text"] for m in platforms.telegram.sent()))
        body = event_body(dm("/project"), event_id="EvProject")
        assert await _slack_post(http, body) == 200
        await _until(
            lambda: any(
                "Portal" in p["text"]
                for p in platforms.slack.posts()
                if str(p["channel"]).startswith("D")
            )
        )
    staff_posts = [p for p in platforms.slack.posts() if p["channel"] == STAFF]
    assert "Alice Martin" in json.dumps(staff_posts)
    [project] = [p for p in platforms.slack.posts() if str(p["channel"]).startswith("D")]
    assert "Portal (gold SLA)" in project["text"]


async def test_a_telegram_client_asks_for_the_support_hours(
    platforms: Platforms, children: list[Child]
) -> None:
    """/hours (the README's worked example of a feature) through the real server."""
    server = await _start(children, serve(platforms.env))
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with httpx.AsyncClient(base_url=await server.url()) as http:
        update = private_text("/hours", update_id=9201)
        assert (
            await http.post("/telegram/webhook", json=update, headers=headers)
        ).status_code == 200
        await _until(platforms.telegram.sent)
    [sent] = platforms.telegram.sent()
    assert "Portal (gold SLA): Mon-Fri, 09:00-18:00 (Europe/Berlin)" in sent["text"]
    assert "The team is" in sent["text"]
