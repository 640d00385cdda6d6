"""/api/v1 endpoint by endpoint: tickets (with keyset pages), conversations (a reply reaches the
client through the outbox), surveys and knowledge; errors are JSON that names the field."""

from __future__ import annotations

import base64
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from adapters.console.chat import ConsoleSession
from bot.app import App
from bot.core.clock import FakeClock
from bot.core.protocols import Tier
from bot.features.faq.drafts import write_draft
from bot.storage.models import Conversation, OutboxItem
from tests.support.fakes import FakeKnowledgeBase, hit

H = dict[str, str]


async def _open(api: httpx.AsyncClient, admin: H, title: str = "Login fails", **extra: str) -> str:
    body = {"client": "ACME", "title": title, "severity": "P2", **extra}
    response = await api.post("/tickets", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return str(response.json()["ref"])


async def test_ticket_lifecycle_records_the_token_as_actor(
    api: httpx.AsyncClient, admin: H
) -> None:
    ref = await _open(api, admin, description="since Monday")
    assert ref == "ACME-1"
    response = await api.post(
        f"/tickets/{ref}/status", json={"status": "in_progress", "note": "looking"}, headers=admin
    )
    assert response.status_code == 200 and response.json()["status"] == "in_progress"
    response = await api.post(f"/tickets/{ref}/comments", json={"text": "fixed?"}, headers=admin)
    assert response.status_code == 201
    shown = (await api.get(f"/tickets/{ref}", headers=admin)).json()
    assert shown["project"] == "Portal" and shown["description"] == "since Monday"
    assert [(e["kind"], e["actor"]) for e in shown["events"]] == [
        ("opened", "api:admin"),
        ("status", "api:admin"),
        ("comment", "api:admin"),
    ]
    listed = (await api.get("/tickets", params={"status": "in_progress"}, headers=admin)).json()
    assert [t["ref"] for t in listed["items"]] == [ref] and listed["next_cursor"] is None


async def test_errors_are_json_and_name_the_field(api: httpx.AsyncClient, admin: H) -> None:
    response = await api.post("/tickets", json={"client": "ACME", "title": ""}, headers=admin)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid" and [f["field"] for f in error["fields"]] == ["body.title"]
    for params, field in [
        ({"limit": "0"}, "query.limit"),
        ({"severity": "P9"}, "query.severity"),
        ({"cursor": "bm9wZQ"}, "query.cursor"),
    ]:
        response = await api.get("/tickets", params=params, headers=admin)
        assert response.status_code == 422, params
        assert [f["field"] for f in response.json()["error"]["fields"]] == [field]
    response = await api.get("/tickets/ACME-99", headers=admin)
    assert response.status_code == 404
    assert response.json()["error"] == {"code": "not_found", "message": "no ticket ACME-99"}
    response = await api.get("/tickets", params={"client": "NOPE"}, headers=admin)
    assert response.status_code == 404 and "NOPE" in response.json()["error"]["message"]
    response = await api.get("/nothing-here", headers=admin)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    ref = await _open(api, admin)
    response = await api.post(f"/tickets/{ref}/status", json={"status": "closed"}, headers=admin)
    assert response.status_code == 200
    response = await api.post(f"/tickets/{ref}/status", json={"status": "closed"}, headers=admin)
    assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"


@pytest.mark.parametrize("limit", [1, 7, 200])
async def test_cursor_pages_walk_every_ticket_once(
    api: httpx.AsyncClient, admin: H, seeded: App, clock: FakeClock, limit: int
) -> None:
    for n in range(30):
        await _open(api, admin, title=f"t{n}", severity="P3" if n % 3 else "P1")
        if n % 4 == 0:  # the rest share a creation time with the one before: ids break the tie
            clock.advance(timedelta(minutes=1))
    expected = [v.ref for v in await seeded.tickets.find(limit=None)]
    for params, want in [
        ({}, expected),
        (
            {"severity": "P1"},
            [v.ref for v in await seeded.tickets.find(limit=None) if v.severity == "P1"],
        ),
    ]:
        seen: list[str] = []
        cursor = None
        while True:
            query = {**params, "limit": str(limit), **({"cursor": cursor} if cursor else {})}
            page = (await api.get("/tickets", params=query, headers=admin)).json()
            seen += [t["ref"] for t in page["items"]]
            assert len(page["items"]) <= limit
            cursor = page["next_cursor"]
            if cursor is None:
                break
            base64.urlsafe_b64decode(cursor + "==")  # opaque, but base64
        assert seen == want


async def test_sla_filter(api: httpx.AsyncClient, admin: H, clock: FakeClock) -> None:
    ref = await _open(api, admin, severity="P1")
    assert (await api.get("/tickets?sla=breached", headers=admin)).json()["items"] == []
    clock.advance(timedelta(days=30))
    breached = (await api.get("/tickets?sla=breached", headers=admin)).json()["items"]
    assert [t["ref"] for t in breached] == [ref]
    assert (await api.get("/tickets?sla=due_soon", headers=admin)).json()["items"] == []


async def test_directory(api: httpx.AsyncClient, admin: H) -> None:
    assert [c["code"] for c in (await api.get("/clients", headers=admin)).json()] == ["ACME"]
    [project] = (await api.get("/projects", headers=admin)).json()
    assert project["name"] == "Portal"
    shown = (await api.get(f"/projects/{project['id']}", headers=admin)).json()
    assert shown == project
    assert (await api.get("/projects/999", headers=admin)).status_code == 404
    contacts = (await api.get("/contacts", params={"client": "acme"}, headers=admin)).json()
    assert [c["handle"] for c in contacts] == ["alice", "wang"]


async def test_a_reply_reaches_the_client_through_the_outbox(
    api: httpx.AsyncClient, admin: H, seeded: App
) -> None:
    alice = ConsoleSession(seeded, "alice")
    await alice.start()
    await alice.say("/human")
    async with seeded.db.session() as session:
        conversation = await session.scalar(select(Conversation.id))
    [waiting] = (await api.get("/conversations", headers=admin)).json()
    assert waiting["id"] == conversation and waiting["state"] == "waiting_for_human"

    url = f"/conversations/{conversation}"
    headers = {**admin, "Idempotency-Key": "r1"}
    response = await api.post(f"{url}/reply", json={"text": "On it."}, headers=headers)
    assert response.json() == {"result": "sent"}
    again = await api.post(f"{url}/reply", json={"text": "On it."}, headers=headers)
    assert again.json() == {"result": "duplicate"}
    async with seeded.db.session() as session:
        sent = [
            item.reply["text"]
            for item in await session.scalars(
                select(OutboxItem).where(OutboxItem.chat_id == "console:alice")
            )
        ]
    assert sum("On it." in text and "api:admin" in text for text in sent) == 1

    lines = (await api.get(f"{url}/messages", headers=admin)).json()["messages"]
    assert ("api:admin (staff)", "On it.", "staff") in [
        (m["who"], m["text"], m["kind"]) for m in lines
    ]
    response = await api.post(f"{url}/hand-back", headers=admin)
    assert response.json() == {"conversation_id": conversation, "state": "bot"}
    response = await api.post(f"{url}/reply", json={"text": "more"}, headers=admin)
    assert response.status_code == 409
    assert (await api.get("/conversations/999/messages", headers=admin)).status_code == 404


async def test_surveys_without_any(api: httpx.AsyncClient, admin: H) -> None:
    results = (await api.get("/surveys", headers=admin)).json()
    assert results["csat"]["sent"] == 0 and results["surveys"] == [] and results["months"] == []


async def test_knowledge(
    api: httpx.AsyncClient, admin: H, seeded: App, kb: FakeKnowledgeBase
) -> None:
    kb_dir = seeded.settings.kb_dir
    (kb_dir / "accounts").mkdir(parents=True)
    (kb_dir / "accounts" / "reset.en.md").write_text(
        "---\nid: reset\ntitle: Resetting your password\nlang: en\ncategory: accounts\n---\n"
        "Click 'Forgot password'.\n",
        encoding="utf-8",
    )
    write_draft(kb_dir, "handoff-1", "How do I export?", "Use the export button.")
    assert (await api.get("/knowledge/articles", headers=admin)).json() == [
        {
            "id": "reset",
            "title": "Resetting your password",
            "category": "accounts",
            "lang": "en",
            "source": "accounts/reset.en.md",
        }
    ]
    [draft] = (await api.get("/knowledge/drafts", headers=admin)).json()
    assert draft["id"] == "handoff-1" and draft["title"] == "How do I export?"

    kb.add("password", Tier.CONFIDENT, hit("reset", "Resetting your password", "Click it."))
    answer = (
        await api.post("/knowledge/ask", json={"question": "password?"}, headers=admin)
    ).json()
    assert answer["answered"] and answer["answer"] == "Click it."
    assert answer["citations"][0]["article_id"] == "reset"
    nothing = (await api.post("/knowledge/ask", json={"question": "weather"}, headers=admin)).json()
    assert nothing == {"answered": False, "tier": "low", "answer": None, "citations": []}
    seeded.kb = None
    response = await api.post("/knowledge/ask", json={"question": "password?"}, headers=admin)
    assert response.status_code == 503 and response.json()["error"]["code"] == "unavailable"


async def test_a_wrong_method_names_the_allowed_ones(api: httpx.AsyncClient, admin: H) -> None:
    answer = await api.delete("/tickets", headers=admin)
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, POST"
    assert answer.json()["error"] == {"code": "method_not_allowed", "message": "Method Not Allowed"}


async def test_a_path_the_api_mount_cannot_match_still_gets_a_json_404(
    api: httpx.AsyncClient, admin: H
) -> None:
    """A line break in a path parameter: Starlette's Mount does not take it, so the outer app
    answers; under /api/ it answers in the API's shape too."""
    answer = await api.post("/conversations/%0A%C3%9A/hand-back", headers=admin)
    assert answer.status_code == 404
    assert answer.json() == {"error": {"code": "not_found", "message": "No such resource"}}
