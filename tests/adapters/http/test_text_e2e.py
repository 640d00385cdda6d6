"""Platform text through the real server (loopback HTTP, fake Slack Web API and Bot API): what
clients and staff type reaches the other side literally, whole, and in the right thread."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from adapters.slack.blocks import SECTION_LIMIT, escape, unescape
from bot.storage.models import Conversation, Project
from tests.features.escalation.test_escalation_e2e import Both, both  # noqa: F401  (fixture)
from tests.features.escalation.test_escalation_slack import (  # noqa: F401  (fixtures)
    STAFF,
    SlackWorld,
    settings,
    staff_reply,
    world,
)
from tests.support.slack import TEAM, dm, signed

pytestmark = pytest.mark.usefixtures("no_proxy")
EVIL = "<!channel> <https://evil.example|verify here>"


def _sections(post: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in post.get("blocks") or [] if b["type"] == "section"]


def _shown(posts: list[dict[str, Any]]) -> str:
    """What Slack shows of these messages' text sections, in order."""
    return "\n".join(unescape(s) for p in posts for s in _sections(p))


async def _project(slack: SlackWorld) -> int:
    async with slack.app.db.session() as session:
        project_id = await session.scalar(select(Project.id))
    assert project_id is not None
    return project_id


async def test_a_ticket_title_reaches_staff_escaped(world: SlackWorld) -> None:  # noqa: F811
    ticket = await world.app.tickets.open(
        project_id=await _project(world), title=EVIL, description="x", severity="P2"
    )
    [post] = await world.posts_to(STAFF, 1)
    escaped = "&lt;!channel&gt; &lt;https://evil.example|verify here&gt;"
    assert post["text"].endswith(escaped) and ticket.ref in post["text"]
    assert _sections(post) == [post["text"]]
    assert "<!channel>" not in str(post) and "<https://evil" not in str(post)


async def test_twenty_tickets_are_all_listed(world: SlackWorld) -> None:  # noqa: F811
    project_id = await _project(world)
    refs = []
    for n in range(20):
        title = f"Export & import #{n} fails for <large> files " + "and more " * 14
        ticket = await world.app.tickets.open(
            project_id=project_id, title=title.strip(), description="x", severity="P3"
        )
        refs.append(ticket.ref)
    form = {
        "command": "/aftercare",
        "text": "mytickets",
        "team_id": TEAM,
        "channel_id": "D1",
        "user_id": "UALICE",
        "user_name": "alice",
        "trigger_id": "trig-mine",
    }
    body = urlencode(form)
    response = await world.http.post(
        "/slack/events",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", **signed(body)},
    )
    assert response.status_code == 200
    posts = await world.posts_to("D1", 1)
    shown = _shown(posts)
    assert len(shown) > SECTION_LIMIT  # more than one section's worth
    assert all(f"{ref} [P3]" in shown for ref in refs)
    assert all(len(s) <= SECTION_LIMIT for p in posts for s in _sections(p))


async def test_a_long_client_message_reaches_staff_whole(world: SlackWorld) -> None:  # noqa: F811
    assert await world.event(dm("/human", ts="3.1"), "EvHuman") == 200
    before = len(await world.posts_to(STAFF, 1))
    text = ("if a<b && c>d then " * 250)[:4093].strip()
    assert len(text) == 4093
    # Slack escapes what a person types; the client sees it literally.
    assert await world.event(dm(escape(text), ts="3.2"), "EvLong") == 200
    posts = await world.posts_to(STAFF, before + 1)
    relayed = [p for p in posts[before:] if text[:40] in unescape(p["text"])]
    assert relayed, [p["text"][:80] for p in posts]
    shown = _shown(posts[posts.index(relayed[0]) :])
    assert " ".join(text.split()) in " ".join(shown.split())


async def test_a_dm_in_a_thread_is_answered_in_the_thread(world: SlackWorld) -> None:  # noqa: F811
    threaded = dm("/help", ts="1700000001.000200", thread_ts="1700000001.000100")
    assert await world.event(threaded, "EvThread") == 200
    [answer] = await world.posts_to("D1", 1)
    assert answer["thread_ts"] == "1700000001.000100"


async def test_a_staff_link_reaches_telegram_as_label_and_url(both: Both) -> None:  # noqa: F811
    assert await both.client_says("can I talk to a human") == 200
    await both.telegram_texts(1)
    await both.slack.posts_to(STAFF, 1)
    async with both.slack.app.db.session() as session:
        conversation = await session.scalar(select(Conversation.id))
    assert conversation is not None
    thread = await both.slack.thread_ts(conversation)
    typed = "See <https://docs.example.com/rotate|the guide> &amp; ask <@USAM|sam> &lt;3"
    assert await both.slack.event(staff_reply(typed, thread, "1700000900.000100"), "EvLink") == 200
    texts = await both.telegram_texts(2)
    shown = html.unescape(texts[1])  # sent as Telegram HTML
    assert "See the guide (https://docs.example.com/rotate) & ask @sam <3" in shown
