"""Handover core: clients see only their own checklist, the template is validated, staff ticks
and acceptance are recorded once, and the CLI turns bad input into one line."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import App
from bot.core.clock import FakeClock
from bot.core.directory import ProjectChange
from bot.core.errors import ConfigError, InvalidInputError, NotFoundError
from bot.features.handover.models import HandoverEvent, HandoverItem
from bot.features.handover.service import load_template
from tests.conftest import START
from tests.support.cli import invoke
from tests.support.helpers import console_message


@pytest.fixture
async def two_clients(seeded: App) -> App:
    """ACME (alice, wang; project Portal) and GLOBEX (bob; project Warehouse)."""
    await seeded.directory.add_client("Globex", "GLOBEX")
    await seeded.directory.add_project(
        "GLOBEX", "Warehouse", START.date(), 12, "silver", "Asia/Shanghai"
    )
    await seeded.directory.add_contact("GLOBEX", "bob", "Bob", lang="en")
    await seeded.directory.link("GLOBEX", "bob", "console", "bob")
    return seeded


async def _items(app: App, project: str) -> list[HandoverItem]:
    project_id = await app.handover.project_id(project)
    view = await app.handover.checklist(project_id)
    async with app.db.session() as session:
        return [await session.get_one(HandoverItem, i.id) for i in view.items]


async def test_a_contact_never_sees_another_clients_checklist(
    two_clients: App, clock: FakeClock
) -> None:
    app = two_clients
    acme = await _items(app, "Portal")
    replies = await app.engine.handle(console_message(clock, "/handover", "bob"))
    text = "\n".join(r.text for r in replies)
    assert "Warehouse" in text and "Portal" not in text
    payloads = {b.payload for r in replies for b in r.buttons}
    assert payloads and not payloads & {f"handover:ok:{i.id}" for i in acme}
    # Bob clicks (or forges) buttons naming ACME's item and project: nothing leaks or changes.
    for payload in (
        f"handover:ok:{acme[0].id}",
        f"handover:pb:{acme[0].id}",
        f"handover:prj:{acme[0].project_id}",
        f"handover:info:{acme[0].project_id}",
        f"project:{acme[0].project_id}",
    ):
        replies = await app.engine.handle(console_message(clock, "", "bob", payload=payload))
        assert [r.kind for r in replies] == ["handover_not_found"], payload
        assert "Portal" not in replies[0].text
    async with app.db.session() as session:
        item = await session.get_one(HandoverItem, acme[0].id)
        assert item.confirmed_at is None
        assert await session.scalar(select(HandoverEvent.id)) is None
    replies = await app.engine.handle(console_message(clock, "/project", "bob"))
    assert "Warehouse" in replies[0].text and "Portal" not in replies[0].text
    globex = (await app.handover.checklist(await app.handover.project_id("Warehouse"))).client_id
    with pytest.raises(NotFoundError):
        await app.handover.confirm(acme[0].id, client_id=globex, contact_id=None, by="bob")
    with pytest.raises(NotFoundError):
        await app.handover.checklist(acme[0].project_id, client_id=globex)


async def test_unlinked_sender_gets_nothing(two_clients: App, clock: FakeClock) -> None:
    for text in ("/handover", "/project", "/suggest more reports please"):
        replies = await two_clients.engine.handle(console_message(clock, text, "stranger"))
        assert [r.kind for r in replies] == ["not_linked"], text


async def test_several_projects_ask_which_one(seeded: App, clock: FakeClock) -> None:
    await seeded.directory.add_project("ACME", "Mobile", START.date(), 6, "bronze", "UTC")
    replies = await seeded.engine.handle(console_message(clock, "/handover"))
    assert replies[0].kind == "handover_project"
    assert [b.label for b in replies[0].buttons] == ["Mobile", "Portal"]
    replies = await seeded.engine.handle(
        console_message(clock, "", payload=replies[0].buttons[0].payload)
    )
    assert "Handover checklist for Mobile" in replies[0].text
    replies = await seeded.engine.handle(console_message(clock, "/project"))
    picked = await seeded.engine.handle(
        console_message(clock, "", payload=replies[0].buttons[1].payload)
    )
    assert picked[0].kind == "project_info" and "Portal (gold SLA)" in picked[0].text


async def test_tick_is_recorded_once_and_due_dates_follow_delivery(seeded: App) -> None:
    project_id = await seeded.handover.project_id("acme/portal")
    first = await seeded.handover.tick(project_id, "2", "dana")
    again = await seeded.handover.tick(project_id, "user_manual", "erin")
    assert first.key == "user_manual" and again.ticked_by == "dana"
    with pytest.raises(NotFoundError, match="no checklist item 'nope'"):
        await seeded.handover.tick(project_id, "nope", "dana")
    with pytest.raises(InvalidInputError):
        await seeded.handover.tick(project_id, "1", " ")
    later = START.date() + timedelta(days=5)
    await seeded.directory.update_project("ACME", "Portal", ProjectChange(delivered_on=later))
    view = await seeded.handover.checklist(project_id, with_events=True)
    assert view.items[0].due_on == later + timedelta(days=7)
    assert [e.kind for e in view.events] == ["ticked"]


async def test_a_tick_can_be_taken_back_until_the_client_confirms(seeded: App) -> None:
    project_id = await seeded.handover.project_id("Portal")
    ticked = await seeded.handover.tick(project_id, "user_manual", "dana")
    unticked = await seeded.handover.untick(project_id, "user_manual", "dana")
    assert (unticked.ticked_at, unticked.ticked_by) == (None, None)
    again = await seeded.handover.tick(project_id, "user_manual", "erin")
    assert again.ticked_by == "erin"
    client_id = (await seeded.handover.checklist(project_id)).client_id
    await seeded.handover.confirm(ticked.id, client_id=client_id, contact_id=None, by="Alice")
    with pytest.raises(InvalidInputError, match="confirmed by the client"):
        await seeded.handover.untick(project_id, "user_manual", "dana")
    view = await seeded.handover.checklist(project_id, with_events=True)
    assert [e.kind for e in view.events] == ["ticked", "unticked", "ticked", "confirmed"]


async def test_accepting_twice_is_impossible(seeded: App, clock: FakeClock) -> None:
    project_id = await seeded.handover.project_id("Portal")
    view = await seeded.handover.checklist(project_id)
    results = [
        await seeded.handover.confirm(i.id, client_id=view.client_id, contact_id=None, by="a")
        for i in view.items
    ]
    assert [r.accepted_on is not None for r in results] == [False] * 7 + [True]
    again = await seeded.handover.confirm(
        view.items[-1].id, client_id=view.client_id, contact_id=None, by="a"
    )
    assert again.already and again.accepted_on is None
    async with seeded.db.session() as session:
        kinds = list(await session.scalars(select(HandoverEvent.kind)))
    assert kinds.count("accepted") == 1 and kinds.count("confirmed") == 8


def test_template_is_validated(tmp_path: Path) -> None:
    assert [i.key for i in load_template()][:2] == ["acceptance_tests", "user_manual"]
    cases = {
        "items: []": "at least one item",
        "items: [{key: Bad Key, title: x, due_days: 1}]": "bad key 'Bad Key'",
        "items: [{key: a, title: x, due_days: -1}]": "due_days must be between",
        "items: [{key: a, title: x, due_days: 1}, {key: a, title: y, due_days: 2}]": "used twice",
        "items: [{key: a, due_days: 1}]": "'title'",
        "items: [": "not valid YAML",
    }
    for number, (text, message) in enumerate(cases.items()):
        path = tmp_path / f"t{number}.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError, match=message) as caught:
            load_template(path)
        assert str(path) in str(caught.value)
    with pytest.raises(ConfigError, match="cannot read handover template"):
        load_template(tmp_path / "missing.yaml")
    path = tmp_path / "ok.yaml"
    path.write_text("items: [{key: go_live, title: Live, due_days: 3}]", encoding="utf-8")
    assert load_template(path)[0].title_zh == "Live"


def test_custom_template_and_cli_errors(
    cli_env: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    template = tmp_path / "handover.yaml"
    template.write_text(
        "items:\n  - {key: go_live, title: {en: Live, zh: 上线}, due_days: 3}\n", encoding="utf-8"
    )
    monkeypatch.setenv("AFTERCARE_HANDOVER_TEMPLATE", str(template))
    assert invoke("client", "add", "Acme Corp", "--code", "ACME")[0] == 0
    assert invoke(
        "project", "add", "--client", "ACME", "--name", "Portal", "--delivered", "2026-03-01",
        "--warranty-months", "12", "--sla-tier", "gold", "--timezone", "UTC",
    )[0] == 0  # fmt: skip
    code, out, _ = invoke("handover", "show", "Portal")
    assert code == 0 and "0 of 1 items confirmed" in out and "due 2026-03-04" in out
    assert invoke("handover", "tick", "Portal", "1", "--by", "dana")[1].strip() == (
        "1. go_live: ticked by dana"
    )
    assert invoke("handover", "untick", "Portal", "go_live", "--by", "dana")[1].strip() == (
        "1. go_live: not ticked"
    )
    for args, message in (
        (("handover", "show", "Nope"), "error: no project 'Nope'"),
        (("handover", "tick", "Portal", "x", "--by", "d"), "error: no checklist item 'x'"),
        (("handover", "show", "Portal", "--client", "NOPE"), "error: no client 'NOPE'"),
    ):
        code, _, err = invoke(*args)
        assert code == 1 and err.startswith(message) and err.count("\n") == 1, err
    template.write_text("items: nope", encoding="utf-8")
    code, _, err = invoke("handover", "show", "Portal")
    assert code == 1 and str(template) in err
