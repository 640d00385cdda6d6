"""Which client a Slack message speaks for: DMs by the sender's (or its team's) link, channels
only by the channel's own link, so a shared channel never shows one client's data to others."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.core.clock import FakeClock
from bot.core.errors import InvalidInputError
from bot.core.messages import IncomingMessage
from bot.core.protocols import Turn


def _slack(clock: FakeClock, user: str, team: str, chat: str, *, group: bool) -> IncomingMessage:
    return IncomingMessage(
        channel="slack",
        workspace_id=team,
        chat_id=chat,
        sender_id=user,
        text="hello",
        received_at=clock.now(),
        thread_id="1.0" if group else "",
        group=group,
    )


async def _turn(app: App, message: IncomingMessage) -> Turn:
    turn = await app.store.begin_turn(message)
    assert turn is not None
    return turn


async def test_a_slack_connect_team_linked_as_a_whole_speaks_for_its_client(
    seeded: App, clock: FakeClock
) -> None:
    app = seeded
    await app.directory.add_contact("ACME", "acme-team", "Acme (Slack Connect)", lang="en")
    await app.directory.link("ACME", "acme-team", "slack", "*", "T0ACME")
    member = await _turn(app, _slack(clock, "U777", "T0ACME", "D1", group=False))
    assert member.client_id is not None
    stranger = await _turn(app, _slack(clock, "U777", "T0OTHER", "D2", group=False))
    assert stranger.client_id is None


async def test_a_channel_shows_client_data_only_when_the_channel_is_linked(
    seeded: App, clock: FakeClock
) -> None:
    app = seeded
    await app.directory.link("ACME", "alice", "slack", "U1", "T0ACME")
    assert (await _turn(app, _slack(clock, "U1", "T0ACME", "D9", group=False))).client_id
    in_channel = await _turn(app, _slack(clock, "U1", "T0ACME", "C1", group=True))
    assert in_channel.client_id is None  # a linked person in an unlinked channel
    await app.directory.add_contact("ACME", "acme-ops", "#acme-ops", lang="en")
    await app.directory.link("ACME", "acme-ops", "slack", "chat:C1", "T0VENDOR")
    # The channel's link holds whichever team the sender is in (a shared channel).
    again = _slack(clock, "U1", "T0ACME", "C1", group=True)
    linked = await _turn(app, IncomingMessage(**{**again.__dict__, "platform_message_id": "m2"}))
    assert linked.client_id is not None and linked.contact_id is not None


@pytest.mark.parametrize(("channel", "workspace"), [("telegram", ""), ("slack", "")])
async def test_team_wide_links_need_a_slack_team(seeded: App, channel: str, workspace: str) -> None:
    with pytest.raises(InvalidInputError, match="links a whole Slack team"):
        await seeded.directory.link("ACME", "alice", channel, "*", workspace)
