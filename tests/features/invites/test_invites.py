"""Invite codes: issued by admins (service and CLI), redeemed once, hashed at rest, expiring."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from bot.core.clock import FakeClock
from bot.core.errors import InvalidInputError, NotFoundError
from bot.features.invites.models import Invite
from bot.features.invites.service import InviteError, hash_code
from bot.storage.models import ChannelIdentity, Contact
from tests.support.cli import invoke


async def test_code_is_stored_only_as_a_hash(seeded: App) -> None:
    issued = await seeded.invites.create("acme", "alice", days=3)
    assert len(issued.code) >= 20 and issued.contact == "alice"
    async with seeded.db.session() as session:
        [row] = list(await session.scalars(select(Invite)))
    assert row.code_hash == hash_code(issued.code) and issued.code not in row.code_hash


@pytest.mark.parametrize(
    ("client", "contact", "days", "error"),
    [
        ("NOPE", None, 7, NotFoundError),
        ("ACME", "nobody", 7, NotFoundError),
        ("ACME", None, 0, InvalidInputError),
        ("ACME", None, 91, InvalidInputError),
    ],
)
async def test_bad_invites_are_refused(
    seeded: App, client: str, contact: str | None, days: int, error: type[Exception]
) -> None:
    with pytest.raises(error):
        await seeded.invites.create(client, contact, days)


async def test_redeem_links_to_the_invited_contact_and_only_once(seeded: App) -> None:
    issued = await seeded.invites.create("ACME", "wang")
    joined = await seeded.invites.redeem(issued.code, "telegram", "", "555", "Wang Wei")
    assert (joined.client, joined.contact) == ("Acme Corp", "王伟")
    again = await seeded.invites.redeem(issued.code, "telegram", "", "555", "Wang Wei")
    assert again == joined  # the same account tapping the link twice is welcomed, not refused
    with pytest.raises(InviteError) as refused:
        await seeded.invites.redeem(issued.code, "telegram", "", "556", "Someone else")
    assert refused.value.reason == "used"
    async with seeded.db.session() as session:
        identity = await session.scalar(
            select(ChannelIdentity).where(ChannelIdentity.user_id == "555")
        )
        assert identity is not None
        contact = await session.get_one(Contact, identity.contact_id)
    assert contact.handle == "wang"


async def test_invite_without_contact_creates_one_per_account(seeded: App) -> None:
    issued = await seeded.invites.create("ACME")
    joined = await seeded.invites.redeem(issued.code, "telegram", "", "777", "Dana Scully")
    assert joined.contact == "Dana Scully"
    handles = [v.handle for v in await seeded.directory.list_contacts("ACME")]
    assert "telegram-777" in handles


async def test_expired_invite_is_refused_with_its_date(seeded: App, clock: FakeClock) -> None:
    issued = await seeded.invites.create("ACME", days=1)
    clock.advance(timedelta(days=1))
    with pytest.raises(InviteError) as refused:
        await seeded.invites.redeem(issued.code, "telegram", "", "9", "X")
    assert refused.value.reason == "expired" and refused.value.expired_at == issued.expires_at


async def test_two_accounts_racing_for_one_code_link_one(seeded: App) -> None:
    issued = await seeded.invites.create("ACME")
    results = await asyncio.gather(
        *(seeded.invites.redeem(issued.code, "telegram", "", str(n), f"U{n}") for n in (1, 2)),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert [r.reason for r in results if isinstance(r, InviteError)] == ["used"]


@pytest.mark.parametrize("code", ["", "short", "x" * 65, "bad code!"])
async def test_malformed_codes_are_unknown(seeded: App, code: str) -> None:
    with pytest.raises(InviteError) as refused:
        await seeded.invites.redeem(code, "telegram", "", "9", "X")
    assert refused.value.reason == "unknown"


def test_cli_contact_invite(cli_env: str) -> None:
    assert invoke("client", "add", "Acme Corp", "--code", "ACME")[0] == 0
    assert invoke("contact", "add", "--client", "ACME", "--handle", "alice")[0] == 0
    code, out, _ = invoke("contact", "invite", "--client", "ACME", "--contact", "alice")
    assert code == 0
    assert "invite for contact alice of Acme Corp" in out
    assert "in Telegram: /start " in out
    code, out, err = invoke("contact", "invite", "--client", "ACME", "--days", "0")
    assert code == 1 and err.startswith("error: an invite lasts 1 to 90 days")
