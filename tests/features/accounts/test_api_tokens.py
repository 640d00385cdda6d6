"""The API token service on SQLite and PostgreSQL: created once, stored as a hash, verified,
revoked; bad names and scopes are clear errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from bot.core.clock import FakeClock
from bot.core.errors import ConflictError, InvalidInputError, NotFoundError
from bot.features.accounts.models import ApiToken
from bot.features.accounts.tokens import SCOPES, hash_token


async def test_create_shows_the_token_once_and_stores_only_its_hash(app: App) -> None:
    view, plaintext = await app.api_tokens.create("jira", ["tickets:write", "tickets:read"])
    assert plaintext.startswith(f"act_{view.prefix}_") and len(plaintext) > 40
    assert view.scopes == ("tickets:read", "tickets:write")  # declared order
    assert view.actor == "api:jira"
    async with app.db.session() as session:
        row = await session.scalar(select(ApiToken))
    assert row is not None and row.token_hash == hash_token(plaintext)
    assert plaintext not in (row.token_hash, row.prefix, row.name)


async def test_verify_accepts_the_token_and_refuses_anything_else(app: App) -> None:
    _, plaintext = await app.api_tokens.create("jira", ["tickets:read"])
    found = await app.api_tokens.verify(plaintext)
    assert found is not None and found.name == "jira"
    for wrong in ("", "act_", plaintext[:-1], plaintext + "x", "Bearer " + plaintext, "x" * 500):
        assert await app.api_tokens.verify(wrong) is None


async def test_a_revoked_token_no_longer_verifies(app: App) -> None:
    _, plaintext = await app.api_tokens.create("jira", ["tickets:read"])
    first = await app.api_tokens.revoke("jira")
    again = await app.api_tokens.revoke("jira")
    assert first.revoked_at is not None and again.revoked_at == first.revoked_at
    assert await app.api_tokens.verify(plaintext) is None
    with pytest.raises(NotFoundError, match="no token named 'nope'"):
        await app.api_tokens.revoke("nope")


async def test_last_used_is_written_at_most_once_a_minute(app: App, clock: FakeClock) -> None:
    _, plaintext = await app.api_tokens.create("jira", ["tickets:read"])
    start = clock.now()
    assert (await app.api_tokens.verify(plaintext)) is not None
    clock.advance(timedelta(seconds=30))
    await app.api_tokens.verify(plaintext)
    [listed] = await app.api_tokens.list()
    assert listed.last_used_at == start
    clock.advance(timedelta(seconds=31))
    await app.api_tokens.verify(plaintext)
    [listed] = await app.api_tokens.list()
    assert listed.last_used_at == clock.now()


@pytest.mark.parametrize(
    ("name", "scopes", "message"),
    [
        ("jira", [], "at least one scope"),
        ("jira", ["tickets:delete"], "unknown scope 'tickets:delete'"),
        ("", ["tickets:read"], "bad token name"),
        ("two words", ["tickets:read"], "bad token name"),
    ],
)
async def test_bad_input_is_a_clear_error(
    app: App, name: str, scopes: list[str], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        await app.api_tokens.create(name, scopes)
    assert await app.api_tokens.list() == []


async def test_names_are_unique(app: App) -> None:
    await app.api_tokens.create("jira", list(SCOPES))
    with pytest.raises(ConflictError, match="exists already"):
        await app.api_tokens.create("jira", ["tickets:read"])
    assert [t.name for t in await app.api_tokens.list()] == ["jira"]
