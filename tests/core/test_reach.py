"""Proactive messages find each contact at the chat it uses, in its language and timezone."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.core.clock import FakeClock
from bot.core.messages import Address
from bot.core.reach import recipients
from bot.storage.models import Client
from tests.support.helpers import console_message


async def _acme_id(app: App) -> int:
    async with app.db.session() as session:
        return int(await session.scalar(select(Client.id).where(Client.code == "ACME")) or 0)


async def test_contacts_are_reached_at_their_chat_in_their_language(
    seeded: App, clock: FakeClock
) -> None:
    app = seeded
    await app.directory.add_contact("ACME", "nochat", "No Chat", lang="en")  # no chat account
    client_id = await _acme_id(app)
    async with app.db.session() as session:
        found = await recipients(session, client_id, timezone="Europe/Berlin")
    assert [(r.name, r.lang, r.timezone) for r in found] == [
        ("Alice Martin", "en", "Europe/Berlin"),
        ("王伟", "zh", "Europe/Berlin"),
    ]
    assert found[0].address == Address("console", "", "console:alice")
    assert found[0].conversation_id is None

    await app.engine.handle(console_message(clock, "hello", chat="console:alice-laptop"))
    async with app.db.session() as session:
        [alice] = await recipients(
            session, client_id, timezone="UTC", contact_id=found[0].contact_id
        )
    assert alice.address == Address("console", "", "console:alice-laptop")
    assert alice.conversation_id is not None


async def test_another_clients_contacts_are_never_included(seeded: App) -> None:
    app = seeded
    await app.directory.add_client("Globex", "GLOBEX")
    await app.directory.add_contact("GLOBEX", "hank", "Hank", lang="en")
    await app.directory.link("GLOBEX", "hank", "console", "hank")
    client_id = await _acme_id(app)
    async with app.db.session() as session:
        names = [r.name for r in await recipients(session, client_id, timezone="UTC")]
    assert "Hank" not in names and len(names) == 2
